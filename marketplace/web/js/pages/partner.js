// Partner console: the partner's API key (kept in sessionStorage only), their services with
// status, a form to create one, and per service: stations, prices, availability, publishing.
import { gql, partnerKey, setPartnerKey } from '../api.js';
import { announce, el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { createMap, focusOn, L, pointMarker } from '../map.js';
import { readZip } from '../zip.js';
import { kindBadge, SERVICE_KINDS } from './services.js';

const ALL_STATUSES = ['DRAFT', 'PUBLISHED', 'SUSPENDED', 'RETIRED'];

export async function render(main, { rest, capabilities }) {
  if (!partnerKey()) return renderSignIn(main);
  let me;
  try {
    me = (await gql('query Me { me { id name kind } }', {}, { auth: true })).me;
  } catch (error) {
    return renderSignIn(main, error);
  }
  if (!me) return renderSignIn(main);
  const header = el('div', { class: 'console-head' },
    el('p', {}, t('partner.signedInAs', { name: me.name })),
    el('button', { type: 'button', class: 'secondary', onclick: () => { setPartnerKey(null); location.hash = '#/partner'; window.dispatchEvent(new HashChangeEvent('hashchange')); } }, t('partner.signOut')),
    el('a', { href: '/graphql', target: '_blank', rel: 'noopener' }, t('partner.graphiql')));
  if (rest.length) return renderEditor(main, me, rest[0], header, capabilities);
  return renderList(main, me, header);
}

function renderSignIn(main, error) {
  const keyInput = el('input', { type: 'password', name: 'apiKey', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'signin-title' },
    el('h2', { id: 'signin-title' }, t('partner.signInTitle')),
    field(t('partner.apiKey'), keyInput, t('partner.apiKeyHint')),
    error ? errorBox(error) : null,
    el('button', { type: 'submit', class: 'primary' }, t('partner.signIn')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return;
    }
    setPartnerKey(key);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), el('p', {}, t('partner.intro')), form));
  return {};
}

async function ownServices(me) {
  const data = await gql(`query Own($filter: ServiceFilterInput) {
    services(filter: $filter, first: 100) {
      nodes { id kind name status version operator { id } stations { id } }
    }
  }`, { filter: { status: ALL_STATUSES } }, { auth: true });
  return data.services.nodes.filter((service) => service.operator.id === me.id);
}

async function renderList(main, me, header) {
  const listRegion = el('section', { 'aria-labelledby': 'own-title' }, el('h2', { id: 'own-title' }, t('partner.services')), statusLine(t('loading')));
  const keysRegion = el('section', { 'aria-labelledby': 'keys-title' });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), header, listRegion, createForm(), keysRegion));
  apiKeys(keysRegion);
  try {
    const services = await ownServices(me);
    listRegion.replaceChildren(el('h2', { id: 'own-title' }, t('partner.services')),
      services.length
        ? el('div', { class: 'table-wrap' }, el('table', { class: 'own-services' },
          el('thead', {}, el('tr', {}, ['name', 'kind', 'status', 'stations', 'actions'].map((key) => el('th', { scope: 'col' }, t(`partner.col.${key}`))))),
          el('tbody', {}, services.map((service) => el('tr', { dataset: { id: service.id } },
            el('th', { scope: 'row' }, el('a', { href: `#/partner/${encodeURIComponent(service.id)}` }, service.name)),
            el('td', {}, kindBadge(service.kind)),
            el('td', {}, el('span', { class: `status-badge status-${service.status}` }, t(`status.${service.status}`))),
            el('td', {}, String(service.stations.length)),
            el('td', {}, el('a', { href: `#/partner/${encodeURIComponent(service.id)}`, 'aria-label': t('partner.manageNamed', { name: service.name }) }, t('partner.manage'))))))))
        : el('p', {}, t('partner.noServices')));
  } catch (error) {
    listRegion.replaceChildren(el('h2', { id: 'own-title' }, t('partner.services')), errorBox(error));
  }
  return {};
}

async function apiKeys(region) {
  const title = el('h2', { id: 'keys-title' }, t('partner.keys'));
  region.replaceChildren(title, statusLine(t('loading')));
  let keys;
  try {
    keys = (await gql('query Keys { apiKeys { id name prefix createdAt expiresAt revokedAt lastUsedAt } }', {}, { auth: true })).apiKeys;
  } catch (error) {
    region.replaceChildren(title, errorBox(error));
    return;
  }
  const secretBox = el('div', { role: 'status' });
  const name = el('input', { type: 'text', name: 'keyName', required: true, maxlength: 100 });
  const form = el('form', { class: 'row', 'aria-label': t('partner.newKey') },
    field(t('partner.keyName'), name), el('button', { type: 'submit', class: 'primary' }, t('partner.newKey')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = (await gql('mutation NewKey($name: String!) { createApiKey(name: $name) { secret apiKey { id } } }',
        { name: name.value.trim() || 'default' }, { auth: true })).createApiKey;
      await apiKeys(region);
      region.append(el('div', { class: 'warning', role: 'alert' },
        el('p', {}, t('partner.secretOnce')),
        field(t('partner.secret'), el('input', { type: 'text', readonly: true, value: created.secret, class: 'secret' }))));
    } catch (error) {
      secretBox.replaceChildren(errorBox(error));
    }
  });
  region.replaceChildren(title,
    el('div', { class: 'table-wrap' }, el('table', { class: 'api-keys' },
      el('thead', {}, el('tr', {}, ['keyName', 'prefix', 'created', 'lastUsed', 'state'].map((key) => el('th', { scope: 'col' }, t(`partner.keyCol.${key}`))))),
      el('tbody', {}, keys.map((key) => el('tr', {},
        el('th', { scope: 'row' }, key.name),
        el('td', {}, el('code', {}, key.prefix)),
        el('td', {}, fmt.dateTime(key.createdAt)),
        el('td', {}, key.lastUsedAt ? fmt.dateTime(key.lastUsedAt) : '–'),
        el('td', {}, key.revokedAt
          ? t('partner.keyRevoked')
          : el('button', { type: 'button', class: 'danger', 'aria-label': t('partner.revokeNamed', { name: key.name }), onclick: async () => {
            if (!confirm(t('partner.revokeConfirm'))) return;
            try {
              await gql('mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, { auth: true });
              await apiKeys(region);
            } catch (error) {
              secretBox.replaceChildren(errorBox(error));
            }
          } }, t('partner.revoke')))))))),
    form, secretBox);
}

function createForm() {
  const kind = el('select', { name: 'kind' }, SERVICE_KINDS.map((value) => el('option', { value }, t(`kind.${value}`))));
  const name = el('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const description = el('textarea', { name: 'description', rows: 3 });
  const bookingUrl = el('input', { type: 'url', name: 'bookingUrl' });
  const co2 = el('input', { type: 'number', name: 'co2GPerKm', min: 0, step: 0.1, inputmode: 'decimal' });
  const wheelchair = el('input', { type: 'checkbox', name: 'wheelchairAccessible' });
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'create-title' },
    el('h2', { id: 'create-title' }, t('partner.create')),
    field(t('partner.kind'), kind),
    field(t('partner.name'), name),
    field(t('partner.description'), description),
    field(t('partner.bookingUrl'), bookingUrl),
    field(t('partner.co2'), co2),
    el('label', { class: 'check' }, wheelchair, ' ', t('partner.wheelchair')),
    message,
    el('button', { type: 'submit', class: 'primary' }, t('partner.createSubmit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!name.value.trim()) {
      name.setAttribute('aria-invalid', 'true');
      message.replaceChildren(el('p', { class: 'form-error' }, t('partner.nameRequired')));
      name.focus();
      return;
    }
    const input = { kind: kind.value, name: name.value.trim(), description: description.value, wheelchairAccessible: wheelchair.checked };
    if (bookingUrl.value.trim()) input.bookingUrl = bookingUrl.value.trim();
    if (co2.value !== '') input.co2GPerKm = Number(co2.value);
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      const data = await gql('mutation Create($input: CreateServiceInput!) { createService(input: $input) { id } }', { input }, { auth: true });
      announce(t('partner.created'));
      location.hash = `#/partner/${encodeURIComponent(data.createService.id)}`;
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}

const EDITOR_QUERY = `query Edit($id: ID!) {
  service(id: $id) {
    id kind name status version description website bookingUrl wheelchairAccessible co2GPerKm
    stations { id externalId name kind lat lon capacity availability { vehiclesAvailable docksAvailable reportedAt } }
    pricingPlans { externalId name currency unlockFeeMinor perMinuteMinor perKmMinor }
  }
}`;

async function renderEditor(main, me, id, header, capabilities) {
  main.replaceChildren(statusLine(t('loading')));
  let service;
  try {
    service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
  } catch (error) {
    main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), header, errorBox(error)));
    return {};
  }
  const summary = el('div', { class: 'service-summary' });
  const lifecycle = el('div', { class: 'row lifecycle' });
  const lifecycleMessage = el('div', { role: 'status' });
  const stationsRegion = el('section', { 'aria-labelledby': 'st-title' });
  const mapElement = el('div', { class: 'map editor-map', id: 'editor-map' });
  const editForm = buildEditForm();
  const importRegion = buildImportForms();
  const stationForm = buildStationForm();
  const priceForm = buildPriceForm();
  const availabilityForm = el('div');

  main.replaceChildren(el('div', { class: 'page' },
    el('p', {}, el('a', { href: '#/partner' }, t('partner.backToList'))),
    el('h1', {}, service.name), header, summary, lifecycle, lifecycleMessage,
    el('div', { class: 'service-layout' },
      el('div', {}, stationsRegion, stationForm.form, availabilityForm, priceForm.form, editForm.form, importRegion),
      el('div', { class: 'map-column sticky' }, mapElement, el('p', { class: 'hint' }, t('partner.mapHint'))))));

  const map = createMap(mapElement, { label: t('partner.mapLabel'), capabilities });
  const layer = L.featureGroup().addTo(map);
  map.on('click', (event) => {
    stationForm.lat.value = event.latlng.lat.toFixed(6);
    stationForm.lon.value = event.latlng.lng.toFixed(6);
    announce(t('partner.positionSet'));
  });

  async function reload() {
    service = (await gql(EDITOR_QUERY, { id }, { auth: true })).service;
    draw();
    editForm.fill();
  }

  function draw() {
    summary.replaceChildren(el('p', {}, kindBadge(service.kind), ' ',
      el('span', { class: `status-badge status-${service.status}`, id: 'service-status' }, t(`status.${service.status}`)), ' ',
      t('partner.version', { n: service.version })));
    lifecycle.replaceChildren(...lifecycleButtons());
    layer.clearLayers();
    for (const station of service.stations) pointMarker([station.lat, station.lon], { title: station.name }).addTo(layer);
    if (service.stations.length) focusOn(map, layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    stationsRegion.replaceChildren(el('h2', { id: 'st-title' }, t('partner.stations', { n: service.stations.length })),
      service.stations.length
        ? el('ul', { class: 'plain' }, service.stations.map((station) => el('li', {},
          `${station.name} (${station.externalId}) — ${station.lat.toFixed(5)}, ${station.lon.toFixed(5)}`,
          station.availability ? ` — ${t('avail.vehicles', { n: station.availability.vehiclesAvailable ?? '–' })}, ${t('avail.docks', { n: station.availability.docksAvailable ?? '–' })}` : '')))
        : el('p', {}, t('partner.noStations')));
    availabilityForm.replaceChildren(service.stations.length ? buildAvailabilityForm() : '');
    priceForm.show();
  }

  function lifecycleButtons() {
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

  function buildStationForm() {
    const externalId = el('input', { type: 'text', name: 'externalId', required: true });
    const name = el('input', { type: 'text', name: 'stationName', required: true });
    const lat = el('input', { type: 'number', name: 'lat', step: 'any', required: true, inputmode: 'decimal' });
    const lon = el('input', { type: 'number', name: 'lon', step: 'any', required: true, inputmode: 'decimal' });
    const capacity = el('input', { type: 'number', name: 'capacity', min: 0, step: 1, inputmode: 'numeric' });
    const kind = el('select', { name: 'stationKind' }, ['STATION', 'STOP', 'PARKING_SITE'].map((value) => el('option', { value }, t(`stationKind.${value}`))));
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'add-station-title' },
      el('h2', { id: 'add-station-title' }, t('partner.addStation')),
      field(t('partner.externalId'), externalId), field(t('partner.stationName'), name),
      el('div', { class: 'row' }, field(t('partner.lat'), lat), field(t('partner.lon'), lon)),
      el('div', { class: 'row' }, field(t('partner.capacity'), capacity), field(t('partner.stationKind'), kind)),
      message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveStation')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const missing = [externalId, name, lat, lon].filter((input) => input.value.trim() === '');
      missing.forEach((input) => input.setAttribute('aria-invalid', 'true'));
      if (missing.length) {
        message.replaceChildren(el('p', { class: 'form-error' }, t('partner.stationMissing')));
        missing[0].focus();
        return;
      }
      const station = { externalId: externalId.value.trim(), name: name.value.trim(), lat: Number(lat.value), lon: Number(lon.value), kind: kind.value };
      if (capacity.value !== '') station.capacity = Number(capacity.value);
      message.replaceChildren(statusLine(t('partner.saving')));
      try {
        await gql('mutation Stations($id: ID!, $stations: [StationInput!]!) { upsertStations(serviceId: $id, stations: $stations) { created updated } }', { id, stations: [station] }, { auth: true });
        form.reset();
        [externalId, name, lat, lon].forEach((input) => input.removeAttribute('aria-invalid'));
        message.replaceChildren(el('p', { class: 'success' }, t('partner.stationSaved')));
        await reload();
      } catch (error) {
        message.replaceChildren(errorBox(error));
      }
    });
    return { form, lat, lon };
  }

  function buildAvailabilityForm() {
    const station = el('select', { name: 'availabilityStation' }, service.stations.map((s) => el('option', { value: s.externalId }, s.name)));
    const vehicles = el('input', { type: 'number', name: 'vehiclesAvailable', min: 0, step: 1, inputmode: 'numeric' });
    const docks = el('input', { type: 'number', name: 'docksAvailable', min: 0, step: 1, inputmode: 'numeric' });
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'avail-title' },
      el('h2', { id: 'avail-title' }, t('partner.availability')),
      field(t('partner.station'), station),
      el('div', { class: 'row' }, field(t('partner.vehicles'), vehicles), field(t('partner.docks'), docks)),
      message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveAvailability')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const row = { stationExternalId: station.value };
      if (vehicles.value !== '') row.vehiclesAvailable = Number(vehicles.value);
      if (docks.value !== '') row.docksAvailable = Number(docks.value);
      message.replaceChildren(statusLine(t('partner.saving')));
      try {
        await gql('mutation Avail($id: ID!, $rows: [AvailabilityInput!]!) { updateAvailability(serviceId: $id, availability: $rows) { created updated } }', { id, rows: [row] }, { auth: true });
        await reload();
        announce(t('partner.availabilitySaved'));
      } catch (error) {
        message.replaceChildren(errorBox(error));
      }
    });
    return form;
  }

  function buildPriceForm() {
    const currency = el('input', { type: 'text', name: 'currency', value: 'EUR', maxlength: 3, required: true });
    const unlock = el('input', { type: 'number', name: 'unlockFee', min: 0, step: 0.01, inputmode: 'decimal' });
    const perMinute = el('input', { type: 'number', name: 'perMinute', min: 0, step: 0.01, inputmode: 'decimal' });
    const perKm = el('input', { type: 'number', name: 'perKm', min: 0, step: 0.01, inputmode: 'decimal' });
    const current = el('div');
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'price-title' },
      el('h2', { id: 'price-title' }, t('partner.prices')), current,
      field(t('partner.currency'), currency),
      el('div', { class: 'row' }, field(t('partner.unlock'), unlock), field(t('partner.perMinute'), perMinute), field(t('partner.perKm'), perKm)),
      message, el('button', { type: 'submit', class: 'primary' }, t('partner.savePrice')));
    const cents = (input) => (input.value === '' ? 0 : Math.round(Number(input.value) * 100));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const plan = { externalId: 'standard', name: 'Standard', currency: currency.value.trim().toUpperCase(), unlockFeeMinor: cents(unlock), perMinuteMinor: cents(perMinute), perKmMinor: cents(perKm) };
      message.replaceChildren(statusLine(t('partner.saving')));
      try {
        await gql('mutation Price($id: ID!, $plan: PricingPlanInput!) { setPricingPlan(serviceId: $id, plan: $plan) { externalId } }', { id, plan }, { auth: true });
        message.replaceChildren(el('p', { class: 'success' }, t('partner.priceSaved')));
        await reload();
      } catch (error) {
        message.replaceChildren(errorBox(error));
      }
    });
    return {
      form,
      show() {
        current.replaceChildren(service.pricingPlans.length
          ? el('ul', { class: 'plain' }, service.pricingPlans.map((plan) => el('li', {}, `${plan.name}: ${fmt.price(plan.unlockFeeMinor, plan.currency)} + ${fmt.price(plan.perMinuteMinor, plan.currency)}/min`)))
          : el('p', {}, t('services.noPrices')));
      },
    };
  }

  /** The service's own fields, sent with the version they were read at (CONFLICT if stale). */
  function buildEditForm() {
    const kind = el('select', { name: 'editKind' }, SERVICE_KINDS.map((value) => el('option', { value }, t(`kind.${value}`))));
    const name = el('input', { type: 'text', name: 'editName', required: true, maxlength: 200 });
    const description = el('textarea', { name: 'editDescription', rows: 3 });
    const website = el('input', { type: 'url', name: 'editWebsite' });
    const bookingUrl = el('input', { type: 'url', name: 'editBookingUrl' });
    const co2 = el('input', { type: 'number', name: 'editCo2', min: 0, step: 0.1, inputmode: 'decimal' });
    const wheelchair = el('input', { type: 'checkbox', name: 'editWheelchair' });
    const readVersion = el('p', { class: 'hint' });
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'edit-title' },
      el('h2', { id: 'edit-title' }, t('partner.edit')), readVersion,
      field(t('partner.kind'), kind), field(t('partner.name'), name), field(t('partner.description'), description),
      field(t('partner.website'), website), field(t('partner.bookingUrl'), bookingUrl), field(t('partner.co2'), co2),
      el('label', { class: 'check' }, wheelchair, ' ', t('partner.wheelchair')),
      message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveEdit')));
    // The version the form's values were read at: what updateService is told to expect.
    let version = service.version;
    function fill() {
      version = service.version;
      kind.value = service.kind;
      name.value = service.name;
      description.value = service.description ?? '';
      website.value = service.website ?? '';
      bookingUrl.value = service.bookingUrl ?? '';
      co2.value = service.co2GPerKm ?? '';
      wheelchair.checked = Boolean(service.wheelchairAccessible);
      name.removeAttribute('aria-invalid');
      readVersion.textContent = t('partner.editVersion', { n: version });
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!name.value.trim()) {
        name.setAttribute('aria-invalid', 'true');
        message.replaceChildren(el('p', { class: 'form-error' }, t('partner.nameRequired')));
        name.focus();
        return;
      }
      const input = {
        kind: kind.value, name: name.value.trim(), description: description.value,
        website: website.value.trim() || null, bookingUrl: bookingUrl.value.trim() || null,
        co2GPerKm: co2.value === '' ? null : Number(co2.value), wheelchairAccessible: wheelchair.checked,
      };
      message.replaceChildren(statusLine(t('partner.saving')));
      try {
        await gql(`mutation Update($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
          updateService(id: $id, expectedVersion: $v, input: $input) { id version } }`, { id, v: version, input }, { auth: true });
        await reload();
        document.querySelector('main h1').textContent = service.name;
        message.replaceChildren(el('p', { class: 'success' }, t('partner.edited', { n: service.version })));
        announce(t('partner.edited', { n: service.version }));
      } catch (error) {
        if (error.code === 'CONFLICT') {
          const current = error.errors?.[0]?.extensions?.currentVersion;
          const reloadButton = el('button', { type: 'button', class: 'secondary', onclick: async () => {
            reloadButton.disabled = true;
            try {
              await reload();
              document.querySelector('main h1').textContent = service.name;
              message.replaceChildren(el('p', { class: 'success' }, t('partner.reloaded', { n: service.version })));
              name.focus();
            } catch (reloadError) {
              message.replaceChildren(errorBox(reloadError));
            }
          } }, t('partner.reload'));
          message.replaceChildren(el('div', { class: 'error conflict', role: 'alert' },
            el('strong', {}, t('partner.conflictTitle')), ' ',
            t('partner.conflict', { mine: version, current: current ?? '?' }),
            el('div', { class: 'row' }, reloadButton)));
          reloadButton.focus();
        } else {
          message.replaceChildren(errorBox(error));
        }
      }
    });
    fill();
    return { form, fill };
  }

  /** GBFS (pasted or uploaded JSON) and GTFS (a .zip or its .txt files) imports, with their report. */
  function buildImportForms() {
    const report = el('div', { class: 'import-report-box', role: 'status' });
    async function runImport(mutation, argument, value, button) {
      report.replaceChildren(statusLine(t('partner.importing')));
      button.disabled = true;
      try {
        const data = await gql(`mutation Import($id: ID!, $value: JSON!) {
          ${mutation}(serviceId: $id, ${argument}: $value) {
            counts { feed created updated } skippedCount skipped { feed id reason } } }`, { id, value }, { auth: true });
        const result = data[mutation];
        report.replaceChildren(importReport(result));
        announce(t('partner.importDone'));
        await reload();
      } catch (error) {
        report.replaceChildren(errorBox(error));
      } finally {
        button.disabled = false;
      }
    }

    // GBFS: each feed pasted, or read from an uploaded .json file into its box.
    const gbfsFeeds = ['station_information', 'station_status'];
    const boxes = {};
    const gbfsFields = gbfsFeeds.map((feed) => {
      const text = el('textarea', { name: `gbfs_${feed}`, rows: 4, spellcheck: 'false', class: 'code' });
      const file = el('input', { type: 'file', name: `gbfs_${feed}_file`, accept: '.json,application/json' });
      file.addEventListener('change', async () => {
        if (file.files.length) text.value = await file.files[0].text();
      });
      boxes[feed] = text;
      return el('div', { class: 'import-feed' },
        field(t('partner.gbfsPaste', { feed: `${feed}.json` }), text),
        field(t('partner.gbfsFile', { feed: `${feed}.json` }), file));
    });
    const gbfsSubmit = el('button', { type: 'submit', class: 'primary' }, t('partner.importGbfs'));
    const gbfsError = el('div', { class: 'form-error', role: 'alert' });
    const gbfs = el('form', { class: 'import-form', 'aria-labelledby': 'gbfs-title' },
      el('h3', { id: 'gbfs-title' }, t('partner.gbfsTitle')), el('p', { class: 'hint' }, t('partner.gbfsHint')),
      gbfsFields, gbfsError, gbfsSubmit);
    gbfs.addEventListener('submit', async (event) => {
      event.preventDefault();
      gbfsError.replaceChildren();
      const feeds = {};
      for (const feed of gbfsFeeds) {
        const box = boxes[feed];
        box.removeAttribute('aria-invalid');
        if (!box.value.trim()) continue;
        try {
          feeds[feed] = JSON.parse(box.value);
        } catch (error) {
          box.setAttribute('aria-invalid', 'true');
          gbfsError.textContent = t('partner.badJson', { feed: `${feed}.json`, reason: error.message });
          box.focus();
          return;
        }
      }
      if (!Object.keys(feeds).length) {
        boxes.station_information.setAttribute('aria-invalid', 'true');
        gbfsError.textContent = t('partner.gbfsEmpty');
        boxes.station_information.focus();
        return;
      }
      await runImport('importGbfs', 'feeds', feeds, gbfsSubmit);
    });

    // GTFS: a .zip (unpacked here) or the .txt files themselves.
    const gtfsFile = el('input', { type: 'file', name: 'gtfsFiles', multiple: true, accept: '.zip,.txt,application/zip,text/plain' });
    const gtfsSubmit = el('button', { type: 'submit', class: 'primary' }, t('partner.importGtfs'));
    const gtfsError = el('div', { class: 'form-error', role: 'alert' });
    const gtfs = el('form', { class: 'import-form', 'aria-labelledby': 'gtfs-title' },
      el('h3', { id: 'gtfs-title' }, t('partner.gtfsTitle')),
      field(t('partner.gtfsFiles'), gtfsFile, t('partner.gtfsHint')), gtfsError, gtfsSubmit);
    gtfs.addEventListener('submit', async (event) => {
      event.preventDefault();
      gtfsError.replaceChildren();
      gtfsFile.removeAttribute('aria-invalid');
      const files = {};
      try {
        for (const file of gtfsFile.files) {
          if (/\.zip$/i.test(file.name)) {
            for (const [name, text] of Object.entries(await readZip(file))) if (/\.txt$/i.test(name)) files[name] = text;
          } else if (/\.txt$/i.test(file.name)) {
            files[file.name] = await file.text();
          }
        }
      } catch (error) {
        gtfsFile.setAttribute('aria-invalid', 'true');
        gtfsError.textContent = t('partner.badZip', { reason: error.message });
        return;
      }
      if (!Object.keys(files).length) {
        gtfsFile.setAttribute('aria-invalid', 'true');
        gtfsError.textContent = t('partner.gtfsEmpty');
        gtfsFile.focus();
        return;
      }
      await runImport('importGtfs', 'files', files, gtfsSubmit);
    });

    return el('section', { class: 'narrow', 'aria-labelledby': 'import-title' },
      el('h2', { id: 'import-title' }, t('partner.import')), el('p', { class: 'hint' }, t('partner.importHint')),
      gbfs, gtfs, report);
  }

  draw();
  return { dispose: () => map.remove() };
}

/** What an import did: rows written per feed, and the rows skipped with their reasons. */
function importReport(result) {
  return el('div', { class: 'import-report' },
    el('h3', { id: 'import-report-title' }, t('partner.importReport')),
    el('div', { class: 'table-wrap' }, el('table', { class: 'import-counts' },
      el('caption', {}, t('partner.importCounts')),
      el('thead', {}, el('tr', {}, ['feed', 'created', 'updated'].map((key) => el('th', { scope: 'col' }, t(`partner.importCol.${key}`))))),
      el('tbody', {}, result.counts.map((count) => el('tr', {},
        el('th', { scope: 'row' }, count.feed), el('td', {}, String(count.created)), el('td', {}, String(count.updated))))))),
    el('p', { class: result.skippedCount ? 'warning' : 'success' }, t('partner.skippedCount', { n: result.skippedCount })),
    result.skipped.length
      ? el('div', { class: 'table-wrap' }, el('table', { class: 'import-skipped' },
        el('caption', {}, t('partner.skippedRows', { n: result.skipped.length })),
        el('thead', {}, el('tr', {}, ['feed', 'row', 'reason'].map((key) => el('th', { scope: 'col' }, t(`partner.importCol.${key}`))))),
        el('tbody', {}, result.skipped.map((row) => el('tr', {},
          el('td', {}, row.feed), el('th', { scope: 'row' }, row.id), el('td', {}, row.reason))))))
      : null);
}
