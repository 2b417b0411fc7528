// The catalogue (filters: kind, text) and a service's page: stations on the map, live
// availability (graphql-transport-ws, polling as a fallback), prices, opening hours, and
// reviews/suggestions when the server offers them.
import { gql, subscribe } from '../api.js';
import { placeInput } from '../autocomplete.js';
import { communitySection } from '../community.js';
import { el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { createMap, focusOn, L, MODE_COLOURS, pointMarker } from '../map.js';

export const SERVICE_KINDS = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'CARPOOL', 'PARKING', 'EV_CHARGING', 'PUBLIC_TRANSPORT'];

const KIND_COLOUR = {
  BIKE_SHARE: MODE_COLOURS.BIKE_SHARE,
  SCOOTER_SHARE: MODE_COLOURS.SCOOTER_SHARE,
  CAR_SHARE: MODE_COLOURS.CAR_SHARE,
  SHUTTLE: MODE_COLOURS.SHUTTLE,
  ON_DEMAND: MODE_COLOURS.ON_DEMAND,
  PUBLIC_TRANSPORT: MODE_COLOURS.TRANSIT,
  PARKING: MODE_COLOURS.PARKING,
};

export function kindBadge(kind) {
  return el('span', { class: 'mode-badge', style: `--mode-colour: ${KIND_COLOUR[kind] || '#334155'}` }, t(`kind.${kind}`));
}

export async function render(main, { rest, params, capabilities }) {
  if (rest.length) return renderService(main, rest[0], capabilities);
  return renderCatalogue(main, params, capabilities);
}

const RADII = [300, 500, 1000, 2000];

async function renderCatalogue(main, params, capabilities) {
  let near = null;
  if (params.get('near')) {
    const [lat, lon] = params.get('near').split(',').map(Number);
    if (Number.isFinite(lat) && Number.isFinite(lon)) near = { lat, lon, label: params.get('nearLabel') || `${lat}, ${lon}` };
  }
  const nearField = placeInput({
    label: t('services.near'), name: 'near', searchable: capabilities.query.has('placeSearch'),
    onPick: (place) => { near = place; },
  });
  if (near) nearField.setValue(near.label);
  nearField.input.addEventListener('input', () => {
    if (!nearField.input.value.trim()) near = null;
  });
  const radius = el('select', { name: 'radius' }, RADII.map((r) => el('option', { value: r, selected: String(r) === (params.get('radius') || '500') }, `${r < 1000 ? r : r / 1000} ${r < 1000 ? 'm' : 'km'}`)));
  const aroundMe = 'geolocation' in navigator ? el('button', { type: 'button', class: 'secondary', onclick: () => {
    navigator.geolocation.getCurrentPosition((position) => {
      near = { lat: position.coords.latitude, lon: position.coords.longitude, label: t('services.myPosition') };
      nearField.setValue(near.label);
    }, () => {
      nearField.setValue('');
      near = null;
      results.prepend(el('p', { class: 'form-error', role: 'alert' }, t('services.noPosition')));
    });
  } }, t('services.aroundMe')) : null;
  const kindSelect = el('select', { name: 'kind' },
    el('option', { value: '' }, t('services.allKinds')),
    ...SERVICE_KINDS.map((kind) => el('option', { value: kind, selected: params.get('kind') === kind }, t(`kind.${kind}`))));
  const textInput = el('input', { type: 'search', name: 'q', value: params.get('q') || '' });
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': t('services.filters') },
    field(t('services.kind'), kindSelect),
    field(t('services.text'), textInput),
    nearField.element,
    field(t('services.radius'), radius),
    aroundMe,
    el('button', { type: 'submit', class: 'primary' }, t('services.filter')));
  const results = el('div', { class: 'catalogue', 'aria-live': 'polite' });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('services.title')), el('p', {}, t('services.intro')), form, results));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (kindSelect.value) next.set('kind', kindSelect.value);
    if (textInput.value.trim()) next.set('q', textInput.value.trim());
    if (near && nearField.input.value.trim()) {
      next.set('near', `${near.lat.toFixed(6)},${near.lon.toFixed(6)}`);
      next.set('nearLabel', near.label);
      next.set('radius', radius.value);
    }
    location.hash = `#/services${next.toString() ? `?${next}` : ''}`;
  });

  results.replaceChildren(statusLine(t('loading')));
  const filter = {};
  if (params.get('kind')) filter.kinds = [params.get('kind')];
  if (params.get('q')) filter.text = params.get('q');
  if (near) filter.near = { lat: near.lat, lon: near.lon, radiusM: Number(params.get('radius') || 500) };
  try {
    const data = await gql(`query Catalogue($filter: ServiceFilterInput) {
      services(filter: $filter, first: 100) {
        totalCount
        nodes { id kind name description wheelchairAccessible operator { name }
                stations { id } pricingPlans { currency unlockFeeMinor perMinuteMinor } }
      }
    }`, { filter });
    const services = data.services.nodes;
    if (!services.length) {
      results.replaceChildren(el('p', { class: 'empty' }, t('services.none')));
      return {};
    }
    results.replaceChildren(
      el('p', { class: 'count' }, t('services.count', { n: data.services.totalCount })),
      el('ul', { class: 'cards' }, services.map((service) => el('li', { class: 'card' },
        el('h2', {}, el('a', { href: `#/services/${encodeURIComponent(service.id)}` }, service.name)),
        el('p', {}, kindBadge(service.kind), ' ', el('span', { class: 'operator' }, service.operator.name)),
        service.description ? el('p', { class: 'description' }, service.description) : null,
        el('p', { class: 'facts' },
          t('services.stations', { n: service.stations.length }),
          service.pricingPlans[0] ? ` · ${t('services.from', { price: fmt.price(service.pricingPlans[0].unlockFeeMinor, service.pricingPlans[0].currency) })}` : '',
          service.wheelchairAccessible ? ` · ${t('services.wheelchair')}` : '')))));
  } catch (error) {
    results.replaceChildren(errorBox(error));
  }
  return {};
}

const SERVICE_QUERY = `query Service($id: ID!) {
  service(id: $id) {
    id kind name description website bookingUrl status wheelchairAccessible co2GPerKm updatedAt
    operator { name }
    openingHours { day opens closes }
    pricingPlans { externalId name description currency unlockFeeMinor perMinuteMinor perKmMinor perHourMinor dailyCapMinor }
    stations { id externalId name kind lat lon capacity
      availability { vehiclesAvailable docksAvailable isRenting isReturning reportedAt } }
  }
}`;

async function renderService(main, id, capabilities) {
  main.replaceChildren(statusLine(t('loading')));
  const query = SERVICE_QUERY;

  let service;
  try {
    service = (await gql(query, { id })).service;
  } catch (error) {
    main.replaceChildren(el('div', { class: 'page' }, el('p', {}, el('a', { href: '#/services' }, t('services.back'))), errorBox(error)));
    return {};
  }

  const mapElement = el('div', { class: 'map service-map', id: 'service-map' });
  const stationsRegion = el('section', { 'aria-labelledby': 'stations-title' });
  const live = el('p', { class: 'hint live-status', role: 'status' });
  // Reviews and suggestions belong to the co-creation API: present only when the server has it.
  const community = el('div');
  communitySection(id, capabilities).then((section) => {
    if (section) community.replaceChildren(section);
  });
  main.replaceChildren(el('div', { class: 'page service-page' },
    el('p', {}, el('a', { href: '#/services' }, t('services.back'))),
    el('h1', {}, service.name),
    el('p', {}, kindBadge(service.kind), ' ', el('span', { class: 'operator' }, t('services.by', { name: service.operator.name }))),
    service.description ? el('p', {}, service.description) : null,
    el('div', { class: 'service-layout' },
      el('div', {},
        details(service),
        prices(service),
        hours(service)),
      el('div', { class: 'map-column' }, mapElement)),
    stationsRegion, live, community));

  const map = createMap(mapElement, { label: t('services.mapLabel', { name: service.name }), capabilities });
  const stationLayer = L.featureGroup().addTo(map);
  if (service.serviceArea) L.geoJSON(service.serviceArea, { style: { color: KIND_COLOUR[service.kind] || '#334155', weight: 2, fillOpacity: 0.08 }, interactive: false }).addTo(map);

  function showStations() {
    stationLayer.clearLayers();
    for (const station of service.stations) {
      const a = station.availability;
      const label = `${station.name}${a ? ` — ${availabilityText(a)}` : ''}`;
      pointMarker([station.lat, station.lon], { colour: KIND_COLOUR[service.kind] || '#334155', title: label }).addTo(stationLayer);
    }
    if (service.stations.length) focusOn(map, stationLayer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    stationsRegion.replaceChildren(el('h2', { id: 'stations-title' }, t('services.stationsTitle', { n: service.stations.length })),
      service.stations.length ? stationTable(service.stations) : el('p', {}, t('services.noStations')));
  }
  showStations();

  async function refresh() {
    try {
      service = (await gql(query, { id })).service;
      showStations();
      live.textContent = t('services.updated', { time: fmt.time(new Date().toISOString()) });
    } catch {
      live.textContent = t('services.refreshFailed');
    }
  }

  let poll = null;
  const close = subscribe('subscription Live($id: ID) { availabilityChanged(serviceId: $id) { serviceId at } }', { id }, {
    onNext: refresh,
    onError: () => {
      if (!poll) poll = setInterval(refresh, 30000);
    },
  });
  live.textContent = t('services.live');
  return { dispose: () => { close(); clearInterval(poll); map.remove(); } };
}

function availabilityText(a) {
  const parts = [];
  if (a.vehiclesAvailable !== null) parts.push(t('avail.vehicles', { n: a.vehiclesAvailable }));
  if (a.docksAvailable !== null) parts.push(t('avail.docks', { n: a.docksAvailable }));
  if (!a.isRenting) parts.push(t('avail.notRenting'));
  return parts.join(', ');
}

function details(service) {
  return el('dl', { class: 'facts-list' },
    el('dt', {}, t('services.status')), el('dd', {}, t(`status.${service.status}`)),
    el('dt', {}, t('services.wheelchairLabel')), el('dd', {}, service.wheelchairAccessible ? t('yes') : t('no')),
    service.co2GPerKm !== null ? [el('dt', {}, 'CO₂'), el('dd', {}, `${fmt.number(service.co2GPerKm)} g/km`)] : null,
    service.website ? [el('dt', {}, t('services.website')), el('dd', {}, el('a', { href: service.website, rel: 'noopener' }, service.website))] : null,
    service.bookingUrl ? [el('dt', {}, t('services.booking')), el('dd', {}, el('a', { href: service.bookingUrl, rel: 'noopener' }, service.bookingUrl))] : null);
}

function prices(service) {
  if (!service.pricingPlans.length) return el('section', {}, el('h2', {}, t('services.prices')), el('p', {}, t('services.noPrices')));
  return el('section', {}, el('h2', {}, t('services.prices')),
    el('ul', { class: 'plain' }, service.pricingPlans.map((plan) => el('li', { class: 'price-plan' },
      el('strong', {}, plan.name), ': ',
      [
        plan.unlockFeeMinor ? t('price.unlock', { p: fmt.price(plan.unlockFeeMinor, plan.currency) }) : null,
        plan.perMinuteMinor ? t('price.perMinute', { p: fmt.price(plan.perMinuteMinor, plan.currency) }) : null,
        plan.perKmMinor ? t('price.perKm', { p: fmt.price(plan.perKmMinor, plan.currency) }) : null,
        plan.perHourMinor ? t('price.perHour', { p: fmt.price(plan.perHourMinor, plan.currency) }) : null,
        plan.dailyCapMinor ? t('price.cap', { p: fmt.price(plan.dailyCapMinor, plan.currency) }) : null,
      ].filter(Boolean).join(', ') || t('fmt.free')))));
}

function hours(service) {
  if (!service.openingHours) return el('p', {}, t('services.alwaysOpen'));
  return el('section', {}, el('h2', {}, t('services.hours')),
    el('ul', { class: 'plain' }, service.openingHours.map((period) => el('li', {}, `${t(`day.${period.day}`)} ${period.opens}–${period.closes}`))));
}

function stationTable(stations) {
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('services.stationsTable') },
    el('table', {},
      el('thead', {}, el('tr', {}, ['name', 'vehicles', 'docks', 'capacity', 'reported'].map((key) => el('th', { scope: 'col' }, t(`services.col.${key}`))))),
      el('tbody', {}, stations.map((station) => el('tr', {},
        el('th', { scope: 'row' }, station.name),
        el('td', {}, station.availability?.vehiclesAvailable ?? '–'),
        el('td', {}, station.availability?.docksAvailable ?? '–'),
        el('td', {}, station.capacity ?? '–'),
        el('td', {}, station.availability ? fmt.dateTime(station.availability.reportedAt) : '–'))))));
}
