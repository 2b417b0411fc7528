// Planner dashboard: hotspots and congested streets of the latest traffic run of a period,
// coloured by volume/capacity, a ranked table, and the run's exports; runs, scenarios, the
// assignment and demand below (./planner/). For planner accounts (or the city's API key from
// the partner console); shown only when the server has traffic.
import { gql, partnerKey, residentSession } from '../api.js';
import { el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { drawBoundary } from '../components/map-context.js';
import { createMap, focusOn, L } from '../map.js';
import { assignmentForm } from './planner/assignment-form.js';
import { exportList } from './planner/exports.js';
import { legend, vcColour } from './planner/legend.js';
import { showDemand, showIncidents } from './planner/overlays.js';
import { PERIODS, periodSelect } from './planner/periods.js';
import { scenarioForm } from './planner/scenario-form.js';
import { hotspotTable, runsTable } from './planner/tables.js';

const RUN_FIELDS = 'id status isLatest createdAt totalDelayVehH maxVolumeCapacity hotspotCount demandSource scenario';

function credentials() {
  const session = residentSession();
  if (session && ['PLANNER', 'ADMIN'].includes(session.viewer.role)) return { auth: 'resident', token: session.token };
  const key = partnerKey();
  if (key) return { auth: true, token: key };
  return null;
}

/** The period and threshold shown; submitting writes them in the hash. */
function filtersForm(period, minVc) {
  const periodChoice = periodSelect('period', period);
  const minInput = el('input', { type: 'number', name: 'minVc', min: 0, max: 5, step: 0.1, value: minVc, inputmode: 'decimal' });
  const form = el('form', { class: 'filters', 'aria-label': t('planner.filters') },
    field(t('planner.period'), periodChoice), field(t('planner.minVc'), minInput),
    el('button', { type: 'submit', class: 'primary' }, t('planner.show')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/planner?period=${periodChoice.value}&minVc=${encodeURIComponent(minInput.value || '0')}`;
  });
  return form;
}

/** Congested streets and hotspot circles, coloured by volume/capacity, on their layers. */
function drawCongestion(segmentsLayer, hotspotLayer, data) {
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
  const summary = el('div', { role: 'status' }, statusLine(t('loading')));
  const mapElement = el('div', { class: 'map planner-map', id: 'planner-map' });
  const table = el('section', { 'aria-labelledby': 'hotspots-title' });
  const exportsBox = el('section', { 'aria-labelledby': 'exports-title' });
  const demandBox = el('section', { 'aria-labelledby': 'demand-title' });
  const runsBox = el('section', { 'aria-labelledby': 'runs-title' });
  const scenarioBox = el('section', { 'aria-labelledby': 'scenario-title' });
  const assignmentBox = el('section', { 'aria-labelledby': 'assignment-title' });
  // The scenario form sits beside the map (kept in view): its streets are picked on it.
  page.append(filtersForm(period, minVc), summary, el('div', { class: 'service-layout planner-layout' },
    el('div', {}, table, scenarioBox, exportsBox), el('div', { class: 'map-column sticky' }, mapElement, legend())),
  el('div', { class: 'service-layout' }, el('div', {}, runsBox, assignmentBox), el('div', {}, demandBox)));

  // With no hotspot or congested street to frame, the map frames the streets the server knows.
  const map = createMap(mapElement, {
    label: t('planner.mapLabel'), capabilities, fitStreets: () => !segmentsLayer.getLayers().length && !hotspotLayer.getLayers().length,
  });
  drawBoundary(map, mapElement, capabilities);
  const segmentsLayer = L.featureGroup().addTo(map);
  const hotspotLayer = L.featureGroup().addTo(map);
  const incidentLayer = L.featureGroup().addTo(map);
  const runsTitle = el('h2', { id: 'runs-title' }, t('planner.runs'));
  let refreshes = 0;

  let scenarioShown = false;

  /** The period's runs, then (once a base run succeeded) its hotspots and congested streets. */
  async function loadDashboard() {
    const { trafficRuns: runs } = await gql(`query Runs($period: String!) { trafficRuns(period: $period, limit: 5) { ${RUN_FIELDS} } }`,
      { period }, { auth: who.auth });
    const run = runs.find((r) => r.isLatest) ?? runs.find((r) => !r.scenario && r.status === 'SUCCEEDED');
    showRuns(runs);
    if (!run) {
      // Nothing to draw yet: the first assignment is the next step, so its form comes first.
      summary.replaceChildren(el('div', { class: 'card empty-state' },
        el('p', {}, el('strong', {}, t('planner.noRunYet', { period: t(`period.${period}`) }))),
        el('p', {}, t('planner.firstRunHint'))));
      summary.after(assignmentBox);
      table.replaceChildren(el('h2', { id: 'hotspots-title' }, t('planner.hotspots', { n: 0 })), el('p', {}, t('planner.noRun')));
      mapElement.dataset.hotspots = '0';
      mapElement.dataset.segments = '0';
      refreshes += 1;
      mapElement.dataset.refreshes = String(refreshes);
      return;
    }
    const data = await gql(`query Dashboard($period: String!, $minVc: Float!) {
      hotspots(period: $period, limit: 20) { id rank streets latitude longitude radiusM totalDelayVehH maxVolumeCapacity volumeVehH }
      congestionReport(period: $period, minVolumeCapacity: $minVc, first: 100) {
        totalCount edges { node { id street volumeCapacity delayVehH geometry } }
      }
    }`, { period, minVc: Number(minVc) || 0 }, { auth: who.auth });
    summary.replaceChildren(el('p', {}, t('planner.runSummary', {
      date: fmt.dateTime(run.createdAt), delay: fmt.number(run.totalDelayVehH), vc: fmt.number(run.maxVolumeCapacity, 2),
      n: run.hotspotCount, source: t(`demandSource.${run.demandSource}`),
    })));
    drawCongestion(segmentsLayer, hotspotLayer, data);
    mapElement.dataset.hotspots = String(data.hotspots.length);
    mapElement.dataset.segments = String(data.congestionReport.edges.length);
    const bounds = hotspotLayer.getBounds().extend(segmentsLayer.getBounds());
    focusOn(map, bounds);
    table.replaceChildren(el('h2', { id: 'hotspots-title' }, t('planner.hotspots', { n: data.hotspots.length })),
      data.hotspots.length ? hotspotTable(data.hotspots, map) : el('p', {}, t('planner.noHotspots')));
    exportsBox.replaceChildren(el('h2', { id: 'exports-title' }, t('planner.exports')), exportList(period, who));
    // A scenario is compared with the latest base run: offered once there is one.
    if (!scenarioShown) {
      scenarioBox.replaceChildren(scenarioForm(period, who, map, loadRuns));
      scenarioShown = true;
    }
    refreshes += 1;
    mapElement.dataset.refreshes = String(refreshes);
  }

  function showRuns(runs) {
    runsBox.replaceChildren(runsTitle, runsTable(runs));
  }

  /** Only the runs table (after a scenario, which stores a run but changes no hotspot). */
  async function loadRuns() {
    try {
      const data = await gql(`query Runs($period: String!) { trafficRuns(period: $period, limit: 5) { ${RUN_FIELDS} } }`, { period }, { auth: who.auth });
      showRuns(data.trafficRuns);
    } catch (error) {
      runsBox.replaceChildren(runsTitle, errorBox(error));
    }
  }

  if (capabilities.mutation.has('runAssignment')) {
    assignmentBox.replaceChildren(assignmentForm(period, who, async (ranPeriod) => {
      if (ranPeriod === period) await loadDashboard();
    }));
  }
  try {
    await loadDashboard();
  } catch (error) {
    summary.replaceChildren(errorBox(error));
  }
  if (capabilities.query.has('incidentReports')) showIncidents(incidentLayer, who, mapElement);
  if (capabilities.query.has('demandMatrix')) showDemand(demandBox, who);
  return { dispose: () => map.remove() };
}
