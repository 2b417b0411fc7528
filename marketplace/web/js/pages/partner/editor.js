// One service in the console: its status and lifecycle buttons, its stations and zones on a
// map (a click fills the station form; zones are drawn), and the forms that change it. A
// free-floating service (chosen at creation, or a zone without stations) is edited by its
// zones, a docked one by its stations. Every form reloads the service after a change, and
// the editor draws it again. The forms come first, the paged station list after them. A
// free-floating service's vehicles are placed, dragged and removed on the map (./vehicle-form.js).
import { gql } from '../../api.js';
import { drawBoundary } from '../../components/map-context.js';
import { FREE_FLOATING_KINDS, kindBadge } from '../../components/service-kinds.js';
import { announce, el, errorBox, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { createMap, focusOn, L, pointMarker } from '../../map.js';
import { availabilityForm } from './availability-form.js';
import { editForm } from './edit-form.js';
import { importForms } from './import-forms.js';
import { priceForm } from './price-form.js';
import { hoursForm } from './hours-form.js';
import { stationForm } from './station-form.js';
import { stationTable } from './station-table.js';
import { vehicleForm } from './vehicle-form.js';
import { loadGeoman, zoneForm } from './zone-form.js';

/** The kinds a zone means something for: free-floating vehicles, on-demand rides. */
const ZONED_KINDS = [...FREE_FLOATING_KINDS, 'ON_DEMAND'];

const EDITOR_QUERY = `query Edit($id: ID!) {
  service(id: $id) {
    id kind name status version description website bookingUrl wheelchairAccessible co2GPerKm
    serviceArea noParkingArea openingHours { day opens closes }
    stations { id externalId name kind lat lon capacity availability { vehiclesAvailable docksAvailable reportedAt } }
    pricingPlans { externalId name currency unlockFeeMinor perMinuteMinor perKmMinor }
    vehicles { externalId lat lon batteryPct isReserved isDisabled reportedAt }
  }
}`;

/**
 * The editor of service `id`; `operation` is 'free' when the partner chose free-floating at
 * creation (before any zone says so).
 */
export async function renderEditor(main, id, header, capabilities, operation) {
  main.replaceChildren(statusLine(t('loading')));
  // What the forms share: the service as last read, and how to read it again.
  const editor = { id, service: null, reload };
  try {
    editor.service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
  } catch (error) {
    main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), header, errorBox(error)));
    return {};
  }
  const { kind, stations: known, serviceArea } = editor.service;
  const freeFloating = FREE_FLOATING_KINDS.includes(kind) && !known.length && (operation === 'free' || Boolean(serviceArea));
  const zoned = ZONED_KINDS.includes(kind) && (freeFloating || kind === 'ON_DEMAND');
  if (zoned) {
    try {
      await loadGeoman();
    } catch (error) {
      main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, editor.service.name), header, errorBox(error)));
      return {};
    }
  }
  const summary = el('div', { class: 'service-summary' });
  const lifecycle = el('div', { class: 'row lifecycle' });
  const lifecycleMessage = el('div', { role: 'status' });
  const stationList = stationTable();
  const mapElement = el('div', { class: 'map editor-map', id: 'editor-map' });
  const edit = editForm(editor);
  const imports = importForms(editor, { freeFloating });
  const stations = stationForm(editor);
  const prices = priceForm(editor);
  const hours = hoursForm(editor);
  const availability = availabilityForm(editor);
  const operationNote = el('p', { class: 'operation-note' },
    t(freeFloating ? 'partner.operation.freeNote' : 'partner.operation.dockedNote'));
  const mapColumn = el('div', { class: 'map-column sticky' }, mapElement,
    el('p', { class: 'hint' }, t(zoned ? 'partner.zones.mapHint' : 'partner.mapHint')));
  const forms = el('div', { class: 'editor-forms' });
  main.replaceChildren(el('div', { class: 'page' },
    el('p', {}, el('a', { href: '#/partner' }, t('partner.backToList'))),
    el('h1', {}, editor.service.name), header, summary, operationNote, lifecycle, lifecycleMessage,
    el('div', { class: 'service-layout' }, forms, mapColumn)));

  // With neither stations nor zones yet, the map frames the streets the server knows.
  const map = createMap(mapElement, {
    label: t('partner.mapLabel'), capabilities,
    fitStreets: () => !editor.service.stations.length && !editor.service.serviceArea,
  });
  drawBoundary(map, mapElement, capabilities);
  const layer = L.featureGroup().addTo(map);
  const zones = zoned ? zoneForm(editor, map) : null;
  // Vehicles stand in a saved zone: placed once the zone is drawn and saved.
  const vehicles = freeFloating && zones ? vehicleForm(editor, map, { drawing: zones.drawing }) : null;
  forms.append(...[
    zones?.section,
    vehicles?.section,
    freeFloating ? null : stations.form,
    freeFloating ? null : availability.form,
    prices.form, hours.form, edit.form, imports,
    freeFloating ? null : stationList.region,
  ].filter(Boolean));
  if (zones?.bounds().isValid()) focusOn(map, zones.bounds(), { padding: [30, 30] });
  map.on('click', (event) => {
    if (freeFloating || zones?.drawing()) return;
    stations.lat.value = event.latlng.lat.toFixed(6);
    stations.lon.value = event.latlng.lng.toFixed(6);
    announce(t('partner.positionSet'));
  });

  async function reload() {
    editor.service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
    draw();
    edit.fill();
    hours.fill();
    zones?.fill();
    vehicles?.show();
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
    stationList.show(service.stations);
    availability.refresh();
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
