// A service's stations: markers in the kind's colour (named, with live availability) and the
// stations table, searchable and a page at a time (Vélib' has over a hundred stations around
// Issy). Drawn again on every availability change, keeping the search and the page.
import { availabilityText } from '../../components/availability.js';
import { kindColour } from '../../components/service-kinds.js';
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { focusOn, L, pointMarker } from '../../map.js';

const PAGE_SIZE = 20;

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
  const search = el('input', { type: 'search', name: 'stationSearch', id: 'service-station-search' });
  const tableBox = el('div');
  const position = el('p', { class: 'hint', 'aria-live': 'polite' });
  const previous = el('button', { type: 'button', class: 'secondary' }, t('services.stationsPrevious'));
  const next = el('button', { type: 'button', class: 'secondary' }, t('services.stationsNext'));
  let stations = [];
  let page = 0;

  function drawPage() {
    const text = search.value.trim().toLocaleLowerCase();
    const found = text ? stations.filter((s) => s.name.toLocaleLowerCase().includes(text)) : stations;
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = found.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    tableBox.replaceChildren(shown.length ? stationTable(shown) : el('p', {}, t('services.stationsNone')));
    position.textContent = found.length
      ? t('services.stationsShown', { from: fmt.number(page * PAGE_SIZE + 1, 0), to: fmt.number(page * PAGE_SIZE + shown.length, 0), total: fmt.number(found.length, 0) })
      : '';
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  previous.addEventListener('click', () => { page -= 1; drawPage(); });
  next.addEventListener('click', () => { page += 1; drawPage(); });
  search.addEventListener('input', () => { page = 0; drawPage(); });

  function show(service) {
    layer.clearLayers();
    for (const station of service.stations) {
      const a = station.availability;
      const label = `${station.name}${a ? ` — ${availabilityText(a)}` : ''}`;
      pointMarker([station.lat, station.lon], { colour: kindColour(service.kind), title: label }).addTo(layer);
    }
    if (service.stations.length) focusOn(map, layer.getBounds(), { padding: [30, 30], maxZoom: 16 });
    stations = service.stations;
    const heading = el('h2', { id: 'stations-title' }, t('services.stationsTitle', { n: stations.length }));
    if (!stations.length) {
      region.replaceChildren(heading, el('p', {}, t('services.noStations')));
      return;
    }
    // One page is all a short list needs: no search, no buttons.
    const controls = stations.length > PAGE_SIZE;
    // (replaceChildren would write a null as the text "null".)
    region.replaceChildren(...[heading,
      controls ? el('div', { class: 'field' }, el('label', { for: 'service-station-search' }, t('services.stationsSearch')), search) : null,
      controls ? position : null, tableBox,
      controls ? el('div', { class: 'row' }, previous, next) : null].filter(Boolean));
    drawPage();
  }
  return { show };
}
