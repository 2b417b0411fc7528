// A service's stations: markers in the kind's colour (named, with live availability) and the
// stations table. Drawn again on every availability change.
import { availabilityText } from '../../components/availability.js';
import { kindColour } from '../../components/service-kinds.js';
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { focusOn, L, pointMarker } from '../../map.js';

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

/** The stations of a service on `map` and in `region`: `show(service)` draws them (again). */
export function stationList(map, region) {
  const layer = L.featureGroup().addTo(map);
  function show(service) {
    layer.clearLayers();
    for (const station of service.stations) {
      const a = station.availability;
      const label = `${station.name}${a ? ` — ${availabilityText(a)}` : ''}`;
      pointMarker([station.lat, station.lon], { colour: kindColour(service.kind), title: label }).addTo(layer);
    }
    if (service.stations.length) focusOn(map, layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    region.replaceChildren(el('h2', { id: 'stations-title' }, t('services.stationsTitle', { n: service.stations.length })),
      service.stations.length ? stationTable(service.stations) : el('p', {}, t('services.noStations')));
  }
  return { show };
}
