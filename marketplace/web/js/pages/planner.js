// Planner dashboard: hotspots and congested streets of the latest traffic run of a period,
// coloured by volume/capacity, a ranked table, and the run's exports. For planner accounts
// (or the city's API key from the partner console); shown only when the server has traffic.
import { gql, partnerKey, residentSession } from '../api.js';
import { announce, el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { createMap, focusOn, L } from '../map.js';

const PERIODS = ['morning_peak', 'evening_peak', 'off_peak'];
const EXPORTS = ['hotspots.csv', 'hotspots.geojson', 'segments.csv', 'segments.geojson', 'hotspots.png'];
// Volume/capacity classes, green to dark red (each darker than the streets' grey).
const VC_CLASSES = [
  { max: 0.5, colour: '#15803d', key: 'low' },
  { max: 0.8, colour: '#a16207', key: 'busy' },
  { max: 1.0, colour: '#c2410c', key: 'near' },
  { max: 1.5, colour: '#b91c1c', key: 'over' },
  { max: Infinity, colour: '#7f1d1d', key: 'jammed' },
];

export function vcColour(ratio) {
  return VC_CLASSES.find((c) => ratio < c.max).colour;
}

function credentials() {
  const session = residentSession();
  if (session && ['PLANNER', 'ADMIN'].includes(session.viewer.role)) return { auth: 'resident', token: session.token };
  const key = partnerKey();
  if (key) return { auth: true, token: key };
  return null;
}

export async function render(main, { params, capabilities }) {
  const page = el('div', { class: 'page wide' }, el('h1', {}, t('planner.title')));
  main.replaceChildren(page);
  if (!capabilities.query.has('hotspots')) {
    page.append(el('p', {}, t('planner.unavailable')));
    return {};
  }
  const who = credentials();
  if (!who) {
    page.append(el('p', {}, t('planner.signInNeeded'), ' ',
      el('a', { href: `#/account?back=${encodeURIComponent('#/planner')}` }, t('nav.signIn'))));
    return {};
  }
  const period = PERIODS.includes(params.get('period')) ? params.get('period') : PERIODS[0];
  const minVc = params.get('minVc') || '0.5';
  const periodSelect = el('select', { name: 'period' }, PERIODS.map((p) => el('option', { value: p, selected: p === period }, t(`period.${p}`))));
  const minInput = el('input', { type: 'number', name: 'minVc', min: 0, max: 5, step: 0.1, value: minVc, inputmode: 'decimal' });
  const form = el('form', { class: 'filters', 'aria-label': t('planner.filters') },
    field(t('planner.period'), periodSelect), field(t('planner.minVc'), minInput),
    el('button', { type: 'submit', class: 'primary' }, t('planner.show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/planner?period=${periodSelect.value}&minVc=${encodeURIComponent(minInput.value || '0')}`;
  });
  const summary = el('div', { role: 'status' }, statusLine(t('loading')));
  const mapElement = el('div', { class: 'map planner-map', id: 'planner-map' });
  const table = el('section', { 'aria-labelledby': 'hotspots-title' });
  const exportsBox = el('section', { 'aria-labelledby': 'exports-title' });
  const demandBox = el('section', { 'aria-labelledby': 'demand-title' });
  const runsBox = el('section', { 'aria-labelledby': 'runs-title' });
  const scenarioBox = el('section', { 'aria-labelledby': 'scenario-title' });
  const assignmentBox = el('section', { 'aria-labelledby': 'assignment-title' });
  page.append(form, summary, el('div', { class: 'service-layout planner-layout' },
    el('div', {}, table, exportsBox), el('div', { class: 'map-column' }, mapElement, legend())),
  el('div', { class: 'service-layout' }, el('div', {}, runsBox, assignmentBox, scenarioBox), el('div', {}, demandBox)));

  const map = createMap(mapElement, { label: t('planner.mapLabel'), capabilities });
  const segmentsLayer = L.featureGroup().addTo(map);
  const hotspotLayer = L.featureGroup().addTo(map);
  const incidentLayer = L.featureGroup().addTo(map);
  const runsTitle = el('h2', { id: 'runs-title' }, t('planner.runs'));
  let refreshes = 0;

  /** The period's latest run, hotspots, congested streets and runs: drawn again after each new run. */
  async function loadDashboard() {
    const data = await gql(`query Dashboard($period: String!, $minVc: Float!) {
      trafficRuns(period: $period, limit: 5) { id status isLatest createdAt totalDelayVehH maxVolumeCapacity hotspotCount demandSource scenario }
      hotspots(period: $period, limit: 20) { id rank streets latitude longitude radiusM totalDelayVehH maxVolumeCapacity volumeVehH }
      congestionReport(period: $period, minVolumeCapacity: $minVc, first: 100) {
        totalCount edges { node { id street volumeCapacity delayVehH geometry } }
      }
    }`, { period, minVc: Number(minVc) || 0 }, { auth: who.auth });
    const run = data.trafficRuns.find((r) => r.isLatest) ?? data.trafficRuns.find((r) => !r.scenario && r.status === 'SUCCEEDED');
    summary.replaceChildren(el('p', {}, run
      ? t('planner.runSummary', {
        date: fmt.dateTime(run.createdAt), delay: fmt.number(run.totalDelayVehH), vc: fmt.number(run.maxVolumeCapacity, 2),
        n: run.hotspotCount, source: t(`demandSource.${run.demandSource}`),
      })
      : t('planner.noRun')));
    segmentsLayer.clearLayers();
    hotspotLayer.clearLayers();
    for (const edge of data.congestionReport.edges) {
      const segment = edge.node;
      L.geoJSON(segment.geometry, { style: { color: vcColour(segment.volumeCapacity), weight: 5, opacity: 0.95 } })
        .bindTooltip(`${segment.street ?? t('planner.unnamed')} — v/c ${fmt.number(segment.volumeCapacity, 2)}`)
        .addTo(segmentsLayer);
    }
    for (const hotspot of data.hotspots) {
      L.circle([hotspot.latitude, hotspot.longitude], {
        radius: Math.max(hotspot.radiusM, 40), color: vcColour(hotspot.maxVolumeCapacity), weight: 3, fillOpacity: 0.12,
      }).bindTooltip(`#${hotspot.rank} ${hotspot.streets.slice(0, 3).join(', ')}`).addTo(hotspotLayer);
    }
    mapElement.dataset.hotspots = String(data.hotspots.length);
    mapElement.dataset.segments = String(data.congestionReport.edges.length);
    const bounds = hotspotLayer.getBounds().extend(segmentsLayer.getBounds());
    focusOn(map, bounds);
    table.replaceChildren(el('h2', { id: 'hotspots-title' }, t('planner.hotspots', { n: data.hotspots.length })),
      data.hotspots.length ? hotspotTable(data.hotspots, map) : el('p', {}, t('planner.noHotspots')));
    exportsBox.replaceChildren(el('h2', { id: 'exports-title' }, t('planner.exports')),
      el('ul', { class: 'plain export-list' }, EXPORTS.map((name) => el('li', {}, exportButton(period, name, who)))));
    showRuns(data.trafficRuns);
    refreshes += 1;
    mapElement.dataset.refreshes = String(refreshes);
  }

  function showRuns(runs) {
    runsBox.replaceChildren(runsTitle, runsTable(runs));
  }

  /** Only the runs table (after a scenario, which stores a run but changes no hotspot). */
  async function loadRuns() {
    try {
      const data = await gql(`query Runs($period: String!) {
        trafficRuns(period: $period, limit: 5) { id status isLatest createdAt totalDelayVehH maxVolumeCapacity hotspotCount demandSource scenario }
      }`, { period }, { auth: who.auth });
      showRuns(data.trafficRuns);
    } catch (error) {
      runsBox.replaceChildren(runsTitle, errorBox(error));
    }
  }

  try {
    await loadDashboard();
    scenarioBox.replaceChildren(scenarioForm(period, who, loadRuns));
    if (capabilities.mutation.has('runAssignment')) {
      assignmentBox.replaceChildren(assignmentForm(period, who, async (ranPeriod) => {
        if (ranPeriod === period) await loadDashboard();
      }));
    }
  } catch (error) {
    summary.replaceChildren(errorBox(error));
  }
  if (capabilities.query.has('incidentReports')) showIncidents(incidentLayer, who, mapElement);
  if (capabilities.query.has('demandMatrix')) showDemand(demandBox, who);
  return { dispose: () => map.remove() };
}

async function showIncidents(layer, who, mapElement) {
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

async function showDemand(box, who) {
  const title = el('h2', { id: 'demand-title' }, t('planner.demand'));
  box.replaceChildren(title, statusLine(t('loading')));
  const aliases = PERIODS.map((p, i) => `p${i}: demandMatrix(period: "${p}") { cells { trips } suppressedCells }`).join('\n');
  try {
    const data = await gql(`query Demand { ${aliases} }`, {}, { auth: who.auth });
    const totals = PERIODS.map((p, i) => ({ period: p, trips: data[`p${i}`].cells.reduce((sum, cell) => sum + cell.trips, 0) }));
    box.replaceChildren(title, el('p', { class: 'hint' }, t('planner.demandHint')), barChart(totals));
  } catch (error) {
    box.replaceChildren(title, errorBox(error));
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

function runsTable(runs) {
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

function scenarioForm(period, who, onRun) {
  const streets = el('input', { type: 'text', name: 'closeStreets', required: true });
  const mode = el('select', { name: 'scenarioEdit' },
    el('option', { value: 'closeStreets' }, t('planner.closeStreets')),
    el('option', { value: 'removeLaneStreets' }, t('planner.removeLane')));
  const result = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'scenario-title' },
    el('h2', { id: 'scenario-title' }, t('planner.scenarioTitle')),
    field(t('planner.scenarioEdit'), mode),
    field(t('planner.streets'), streets, t('planner.streetsHint')),
    el('button', { type: 'submit', class: 'primary' }, t('planner.runScenario')), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const names = streets.value.split(';').map((name) => name.trim()).filter(Boolean);
    if (!names.length) {
      streets.setAttribute('aria-invalid', 'true');
      return;
    }
    result.replaceChildren(statusLine(t('planner.computing')));
    try {
      const data = await gql(`mutation Scenario($period: String!, $streets: [String!]) {
        runScenario(period: $period, ${mode.value}: $streets) {
          edits closedSegments baseVehicleHours scenarioVehicleHours vehicleHoursChange baseHotspots scenarioHotspots
          hotspotsAppeared { rank streets } hotspotsDisappeared { rank streets }
        } }`, { period, streets: names }, { auth: who.auth });
      const outcome = data.runScenario;
      result.replaceChildren(el('div', { class: 'scenario-result' },
        el('p', {}, t('planner.scenarioOutcome', {
          base: fmt.number(outcome.baseVehicleHours, 1), scenario: fmt.number(outcome.scenarioVehicleHours, 1),
          change: `${outcome.vehicleHoursChange >= 0 ? '+' : ''}${fmt.number(outcome.vehicleHoursChange, 1)}`,
          baseHotspots: outcome.baseHotspots, scenarioHotspots: outcome.scenarioHotspots,
        })),
        outcome.hotspotsAppeared.length ? el('p', {}, t('planner.appeared', { streets: outcome.hotspotsAppeared.map((h) => h.streets.slice(0, 2).join(', ')).join(' ; ') })) : null,
        outcome.hotspotsDisappeared.length ? el('p', {}, t('planner.disappeared', { streets: outcome.hotspotsDisappeared.map((h) => h.streets.slice(0, 2).join(', ')).join(' ; ') })) : null));
      await onRun?.();
    } catch (error) {
      result.replaceChildren(errorBox(error));
    }
  });
  return form;
}

const DEMAND_SOURCES = ['IMPORTED', 'ISSY_DEFAULT', 'PLANNED_TRIPS'];

/** Run the assignment of a period (planners): its gap, iterations and convergence, then a refresh. */
function assignmentForm(period, who, onRun) {
  const periodSelect = el('select', { name: 'assignmentPeriod' }, PERIODS.map((p) => el('option', { value: p, selected: p === period }, t(`period.${p}`))));
  const sources = DEMAND_SOURCES.map((source) => el('input', { type: 'checkbox', name: 'demandSources', value: source, checked: source === 'IMPORTED' }));
  const sourcesError = el('div', { class: 'form-error', role: 'alert', id: 'assignment-sources-error' });
  const gap = el('input', { type: 'number', name: 'relativeGap', min: 0, max: 1, step: 'any', value: '0.0001', inputmode: 'decimal' });
  const iterations = el('input', { type: 'number', name: 'maxIterations', min: 1, max: 10000, step: 1, value: '500', inputmode: 'numeric' });
  const minVc = el('input', { type: 'number', name: 'assignmentMinVc', min: 0, max: 5, step: 0.1, value: '0.9', inputmode: 'decimal' });
  const submit = el('button', { type: 'submit', class: 'primary' }, t('planner.runAssignment'));
  const result = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'assignment-title' },
    el('h2', { id: 'assignment-title' }, t('planner.assignmentTitle')),
    el('p', { class: 'hint' }, t('planner.assignmentHint')),
    field(t('planner.period'), periodSelect),
    el('fieldset', { 'aria-describedby': 'assignment-sources-error' }, el('legend', {}, t('planner.demandSources')),
      el('div', { class: 'checks' }, sources.map((box) => el('label', { class: 'check' }, box, ' ', t(`demandSource.${box.value}`))))),
    sourcesError,
    el('div', { class: 'row' }, field(t('planner.relativeGap'), gap), field(t('planner.maxIterations'), iterations), field(t('planner.hotspotThreshold'), minVc)),
    submit, result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    sourcesError.replaceChildren();
    const chosen = sources.filter((box) => box.checked).map((box) => box.value);
    if (!chosen.length) {
      sourcesError.textContent = t('planner.noSources');
      sources[0].focus();
      return;
    }
    const ranPeriod = periodSelect.value;
    result.replaceChildren(statusLine(t('planner.assigning')));
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const data = await gql(`mutation Assign($period: String!, $sources: [DemandSource!], $gap: Float!, $iterations: Int!, $minVc: Float!) {
        runAssignment(period: $period, demandSources: $sources, relativeGap: $gap, maxIterations: $iterations, minVolumeCapacity: $minVc) {
          id status converged relativeGap targetGap iterations maxIterations hotspotCount totalDelayVehH elapsedS
        } }`, {
        period: ranPeriod, sources: chosen, gap: Number(gap.value) || 0.0001,
        iterations: Math.max(1, Math.round(Number(iterations.value) || 500)), minVc: Number(minVc.value) || 0,
      }, { auth: who.auth });
      const run = data.runAssignment;
      const facts = {
        gap: fmt.number(run.relativeGap, 6), target: fmt.number(run.targetGap, 6), iterations: run.iterations,
        max: run.maxIterations, n: run.hotspotCount, delay: fmt.number(run.totalDelayVehH, 1), seconds: fmt.number(run.elapsedS, 1),
      };
      result.replaceChildren(el('div', { class: `assignment-result ${run.converged ? 'success-box' : 'warning'}`, dataset: { runId: run.id, converged: String(run.converged) } },
        el('p', {}, el('strong', {}, run.converged ? t('planner.converged') : t('planner.notConvergedLong'))),
        el('ul', { class: 'plain' },
          el('li', {}, t('planner.assignmentGap', facts)),
          el('li', {}, t('planner.assignmentIterations', facts)),
          el('li', {}, t('planner.assignmentHotspots', facts))),
        ranPeriod === period ? null : el('p', {}, el('a', { href: `#/planner?period=${ranPeriod}` }, t('planner.seePeriod', { period: t(`period.${ranPeriod}`) })))));
      announce(run.converged ? t('planner.converged') : t('planner.notConvergedLong'));
      await onRun(ranPeriod);
    } catch (error) {
      result.replaceChildren(errorBox(error));
    } finally {
      form.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  });
  return form;
}

function hotspotTable(hotspots, map) {
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

function exportButton(period, name, who) {
  // The exports need the bearer token, which a plain link cannot carry: fetch, then save.
  return el('button', { type: 'button', class: 'secondary', dataset: { export: name }, onclick: async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const response = await fetch(`/traffic/${encodeURIComponent(period)}/${name}`, { headers: { Authorization: `Bearer ${who.token}` } });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error || `HTTP ${response.status}`);
      }
      const blob = await response.blob();
      const link = el('a', { href: URL.createObjectURL(blob), download: `issy_traffic_${period}_${name}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      button.after(errorBox(error));
    } finally {
      button.disabled = false;
    }
  } }, t('planner.download', { name }));
}

function legend() {
  return el('div', { class: 'legend', role: 'group', 'aria-label': t('planner.legend') },
    el('span', { class: 'legend-title' }, t('planner.legend')),
    VC_CLASSES.map((c) => el('span', { class: 'legend-item' }, el('span', { class: 'vc-swatch', style: `--vc: ${c.colour}` }), ' ', t(`planner.vc.${c.key}`))));
}
