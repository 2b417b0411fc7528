// A service's page: facts, prices and hours beside a map of its stations, the stations table
// kept live (graphql-transport-ws, polling as a fallback), and residents' reviews and ideas
// when the server offers them.
import { gql, subscribe } from '../../api.js';
import { communitySection } from '../../community.js';
import { drawBoundary } from '../../components/map-context.js';
import { kindBadge, kindColour } from '../../components/service-kinds.js';
import { el, errorBox, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { createMap, L } from '../../map.js';
import { serviceDetails, serviceHours, servicePrices } from './service-facts.js';
import { stationList } from './station-list.js';

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

export async function renderService(main, id, capabilities) {
  main.replaceChildren(statusLine(t('loading')));
  let service;
  try {
    service = (await gql(SERVICE_QUERY, { id })).service;
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
      el('div', {}, serviceDetails(service), servicePrices(service), serviceHours(service)),
      el('div', { class: 'map-column' }, mapElement)),
    stationsRegion, live, community));

  const map = createMap(mapElement, { label: t('services.mapLabel', { name: service.name }), capabilities });
  // Issy's outline under the service's own stations, for where they stand in the commune.
  drawBoundary(map, mapElement, capabilities);
  const stations = stationList(map, stationsRegion);
  if (service.serviceArea) L.geoJSON(service.serviceArea, { style: { color: kindColour(service.kind), weight: 2, fillOpacity: 0.08 }, interactive: false }).addTo(map);
  stations.show(service);

  async function refresh() {
    try {
      service = (await gql(SERVICE_QUERY, { id })).service;
      stations.show(service);
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
