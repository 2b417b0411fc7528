// The dashboard's tables: hotspots worst first (each with a button that shows it on the map)
// and the latest runs of the period (base case or scenario, converged or not).
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { vcColour } from './legend.js';

export function hotspotTable(hotspots, map) {
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('planner.hotspotsTable') },
    el('table', { class: 'hotspot-table' },
      el('thead', {}, el('tr', {}, ['rank', 'streets', 'vc', 'delay', 'volume', 'map'].map((key) => el('th', { scope: 'col' }, t(`planner.col.${key}`))))),
      el('tbody', {}, hotspots.map((hotspot) => el('tr', {},
        el('td', {}, String(hotspot.rank)),
        el('th', { scope: 'row' }, hotspot.streets.slice(0, 3).join(', ') + (hotspot.streets.length > 3 ? ' …' : '')),
        el('td', {}, el('span', { class: 'vc-swatch', style: `--vc: ${vcColour(hotspot.maxVolumeCapacity)}` }), ' ', fmt.number(hotspot.maxVolumeCapacity, 2)),
        el('td', {}, fmt.number(hotspot.totalDelayVehH, 1)),
        el('td', {}, fmt.number(hotspot.volumeVehH, 0)),
        el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': t('planner.showOnMap', { n: hotspot.rank }), onclick: () => {
          map.setView([hotspot.latitude, hotspot.longitude], 16, { animate: false });
          document.getElementById('planner-map').scrollIntoView({ block: 'nearest' });
        } }, t('planner.col.map'))))))));
}

export function runsTable(runs) {
  if (!runs.length) return el('p', {}, t('planner.noRun'));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'runs-table' },
    el('thead', {}, el('tr', {}, ['date', 'kind', 'delay', 'hotspots'].map((key) => el('th', { scope: 'col' }, t(`planner.runCol.${key}`))))),
    el('tbody', {}, runs.map((run) => el('tr', { dataset: { runId: run.id } },
      el('th', { scope: 'row' }, fmt.dateTime(run.createdAt)),
      el('td', {}, run.scenario ? `${t('planner.scenario')}: ${run.scenario.join(', ')}` : t('planner.baseRun'), run.isLatest ? ` (${t('planner.latest')})` : '',
        run.status === 'NOT_CONVERGED' ? ` (${t('planner.notConverged')})` : ''),
      el('td', {}, fmt.number(run.totalDelayVehH, 1)),
      el('td', {}, String(run.hotspotCount)))))));
}
