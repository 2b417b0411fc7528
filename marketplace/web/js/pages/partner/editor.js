// One service in the console: its status and lifecycle buttons, its stations on a map (a
// click fills the station form), and the forms that change it. Every form reloads the
// service after a change, and the editor draws it again.
import { gql } from '../../api.js';
import { kindBadge } from '../../components/service-kinds.js';
import { announce, el, errorBox, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { createMap, focusOn, L, pointMarker } from '../../map.js';
import { availabilityForm } from './availability-form.js';
import { editForm } from './edit-form.js';
import { importForms } from './import-forms.js';
import { priceForm } from './price-form.js';
import { stationForm } from './station-form.js';

const EDITOR_QUERY = `query Edit($id: ID!) {
  service(id: $id) {
    id kind name status version description website bookingUrl wheelchairAccessible co2GPerKm
    stations { id externalId name kind lat lon capacity availability { vehiclesAvailable docksAvailable reportedAt } }
    pricingPlans { externalId name currency unlockFeeMinor perMinuteMinor perKmMinor }
  }
}`;

function stationLine(station) {
  return el('li', {},
    `${station.name} (${station.externalId}) — ${station.lat.toFixed(5)}, ${station.lon.toFixed(5)}`,
    station.availability ? ` — ${t('avail.vehicles', { n: station.availability.vehiclesAvailable ?? '–' })}, ${t('avail.docks', { n: station.availability.docksAvailable ?? '–' })}` : '');
}

export async function renderEditor(main, id, header, capabilities) {
  main.replaceChildren(statusLine(t('loading')));
  // What the forms share: the service as last read, and how to read it again.
  const editor = { id, service: null, reload };
  try {
    editor.service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
  } catch (error) {
    main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), header, errorBox(error)));
    return {};
  }
  const summary = el('div', { class: 'service-summary' });
  const lifecycle = el('div', { class: 'row lifecycle' });
  const lifecycleMessage = el('div', { role: 'status' });
  const stationsRegion = el('section', { 'aria-labelledby': 'st-title' });
  const mapElement = el('div', { class: 'map editor-map', id: 'editor-map' });
  const edit = editForm(editor);
  const imports = importForms(editor);
  const stations = stationForm(editor);
  const prices = priceForm(editor);
  const availability = el('div');

  main.replaceChildren(el('div', { class: 'page' },
    el('p', {}, el('a', { href: '#/partner' }, t('partner.backToList'))),
    el('h1', {}, editor.service.name), header, summary, lifecycle, lifecycleMessage,
    el('div', { class: 'service-layout' },
      el('div', {}, stationsRegion, stations.form, availability, prices.form, edit.form, imports),
      el('div', { class: 'map-column sticky' }, mapElement, el('p', { class: 'hint' }, t('partner.mapHint'))))));

  const map = createMap(mapElement, { label: t('partner.mapLabel'), capabilities });
  const layer = L.featureGroup().addTo(map);
  map.on('click', (event) => {
    stations.lat.value = event.latlng.lat.toFixed(6);
    stations.lon.value = event.latlng.lng.toFixed(6);
    announce(t('partner.positionSet'));
  });

  async function reload() {
    editor.service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
    draw();
    edit.fill();
  }

  function draw() {
    const { service } = editor;
    summary.replaceChildren(el('p', {}, kindBadge(service.kind), ' ',
      el('span', { class: `status-badge status-${service.status}`, id: 'service-status' }, t(`status.${service.status}`)), ' ',
      t('partner.version', { n: service.version })));
    lifecycle.replaceChildren(...lifecycleButtons());
    layer.clearLayers();
    for (const station of service.stations) pointMarker([station.lat, station.lon], { title: station.name }).addTo(layer);
    if (service.stations.length) focusOn(map, layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    stationsRegion.replaceChildren(el('h2', { id: 'st-title' }, t('partner.stations', { n: service.stations.length })),
      service.stations.length
        ? el('ul', { class: 'plain' }, service.stations.map(stationLine))
        : el('p', {}, t('partner.noStations')));
    availability.replaceChildren(service.stations.length ? availabilityForm(editor) : '');
    prices.show();
  }

  /** Publish, suspend, retire: the moves the service's status allows, at its read version. */
  function lifecycleButtons() {
    const { service } = editor;
    const actions = [];
    if (service.status === 'DRAFT' || service.status === 'SUSPENDED') actions.push(['publishService', 'publish', 'primary']);
    if (service.status === 'PUBLISHED') actions.push(['suspendService', 'suspend', 'secondary']);
    if (service.status !== 'RETIRED') actions.push(['retireService', 'retire', 'danger']);
    return actions.map(([mutation, key, style]) => el('button', { type: 'button', class: style, onclick: async (event) => {
      if (key === 'retire' && !confirm(t('partner.retireConfirm'))) return;
      event.target.disabled = true;
      lifecycleMessage.replaceChildren(statusLine(t('partner.saving')));
      try {
        await gql(`mutation Lifecycle($id: ID!, $v: Int) { ${mutation}(id: $id, expectedVersion: $v) { status version } }`, { id, v: service.version }, { auth: true });
        await reload();
        lifecycleMessage.replaceChildren(el('p', { class: 'success' }, t(`partner.done.${key}`)));
        announce(t(`partner.done.${key}`));
      } catch (error) {
        lifecycleMessage.replaceChildren(errorBox(error));
        event.target.disabled = false;
      }
    } }, t(`partner.${key}`)));
  }

  draw();
  return { dispose: () => map.remove() };
}
