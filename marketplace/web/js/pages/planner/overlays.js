// What the dashboard adds when the server offers it: citizens' incident reports on the map
// and the planned-trip demand per period as a bar chart.
import { gql } from '../../api.js';
import { el, errorBox, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { L } from '../../map.js';
import { PERIODS } from './periods.js';

export async function showIncidents(layer, who, mapElement) {
  try {
    const data = await gql(`query Incidents { incidentReports(first: 100) { totalCount
      nodes { id category description latitude longitude occurredAt } } }`, {}, { auth: who.auth });
    for (const report of data.incidentReports.nodes) {
      L.circleMarker([report.latitude, report.longitude], { radius: 6, color: '#6d28d9', weight: 3, fillColor: '#ede9fe', fillOpacity: 1 })
        .bindTooltip(`${t(`incident.${report.category}`)} — ${report.description} (${fmt.dateTime(report.occurredAt)})`)
        .addTo(layer);
    }
    mapElement.dataset.incidents = String(data.incidentReports.nodes.length);
  } catch {
    mapElement.dataset.incidents = 'unavailable';
  }
}

/** Bars drawn with CSS widths; the numbers are written out, so the chart needs no picture. */
function barChart(totals) {
  const max = Math.max(1, ...totals.map((row) => row.trips));
  return el('table', { class: 'bar-chart' },
    el('caption', { class: 'visually-hidden' }, t('planner.demand')),
    el('thead', { class: 'visually-hidden' }, el('tr', {}, el('th', { scope: 'col' }, t('planner.period')), el('th', { scope: 'col' }, t('planner.trips')))),
    el('tbody', {}, totals.map((row) => el('tr', {},
      el('th', { scope: 'row' }, t(`period.${row.period}`)),
      el('td', {}, el('span', { class: 'bar', style: `width: ${Math.round((row.trips / max) * 100)}%` }), ' ', fmt.number(row.trips, 0))))));
}

export async function showDemand(box, who) {
  const title = el('h2', { id: 'demand-title' }, t('planner.demand'));
  box.replaceChildren(title, statusLine(t('loading')));
  // totalTrips counts the cells too small to show as well: summing the shown cells reads 0
  // when the trips people plan spread over many cells.
  const aliases = PERIODS.map((p, i) => `p${i}: demandMatrix(period: "${p}") { totalTrips }`).join('\n');
  try {
    const data = await gql(`query Demand { ${aliases} }`, {}, { auth: who.auth });
    const totals = PERIODS.map((p, i) => ({ period: p, trips: data[`p${i}`].totalTrips }));
    box.replaceChildren(title, el('p', { class: 'hint' }, t('planner.demandHint')), barChart(totals));
  } catch (error) {
    box.replaceChildren(title, errorBox(error));
  }
}
