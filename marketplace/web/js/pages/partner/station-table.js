// The service's stations as a searchable list, a page at a time: a 1,500-station feed stays
// a short list under the forms instead of a page tens of thousands of pixels tall.
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

const PAGE_SIZE = 20;

function stationLine(station) {
  const live = station.availability
    ? ` — ${t('avail.vehicles', { n: station.availability.vehiclesAvailable ?? '–' })}, ${t('avail.docks', { n: station.availability.docksAvailable ?? '–' })}`
    : '';
  return el('li', {}, `${station.name} (${station.externalId}) — ${station.lat.toFixed(5)}, ${station.lon.toFixed(5)}${live}`);
}

/** The list region; `show(stations)` draws it again, keeping the search and the page. */
export function stationTable() {
  const region = el('section', { 'aria-labelledby': 'st-title', class: 'station-table' });
  const search = el('input', { type: 'search', name: 'stationSearch', id: 'station-search' });
  const list = el('ul', { class: 'plain station-list' });
  const position = el('p', { class: 'hint', 'aria-live': 'polite' });
  const previous = el('button', { type: 'button', class: 'secondary' }, t('partner.stationsPrevious'));
  const next = el('button', { type: 'button', class: 'secondary' }, t('partner.stationsNext'));
  let stations = [];
  let page = 0;

  function matching() {
    const text = search.value.trim().toLocaleLowerCase();
    if (!text) return stations;
    return stations.filter((s) => `${s.name} ${s.externalId}`.toLocaleLowerCase().includes(text));
  }

  function drawPage() {
    const found = matching();
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = found.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    list.replaceChildren(...shown.map(stationLine));
    position.textContent = found.length
      ? t('partner.stationsShown', { from: fmt.number(page * PAGE_SIZE + 1, 0), to: fmt.number(page * PAGE_SIZE + shown.length, 0), total: fmt.number(found.length, 0) })
      : t('partner.stationsNone');
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  previous.addEventListener('click', () => { page -= 1; drawPage(); });
  next.addEventListener('click', () => { page += 1; drawPage(); });
  search.addEventListener('input', () => { page = 0; drawPage(); });

  function show(all) {
    stations = all;
    const heading = el('h2', { id: 'st-title' }, t('partner.stations', { n: all.length }));
    if (!all.length) {
      region.replaceChildren(heading, el('p', {}, t('partner.noStations')));
      return;
    }
    region.replaceChildren(heading,
      el('div', { class: 'field' }, el('label', { for: 'station-search' }, t('partner.stationsSearch')), search),
      position, list, el('div', { class: 'row' }, previous, next));
    drawPage();
  }
  return { region, show };
}
