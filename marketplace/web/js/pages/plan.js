// Plan a trip: the page composes the trip form, the map (endpoints by click, the route drawn
// leg by leg), the itinerary list and the selected itinerary's card. The whole form lives in
// the hash (./plan/state.js), so a link plans again.
import { ApiError, gql } from '../api.js';
import { drawBoundary, nearbyStations } from '../components/map-context.js';
import { mapSettings } from '../components/map-settings.js';
import { announce, el, errorBox, statusLine } from '../dom.js';
import { t } from '../i18n/index.js';
import { createMap, endpointMarker, L } from '../map.js';
import { tripForm } from './plan/form.js';
import { itineraryCard } from './plan/itinerary-card.js';
import { itineraryList, planProblems } from './plan/itinerary-list.js';
import { PLAN_QUERY, variables } from './plan/query.js';
import { routeLayer } from './plan/route-layer.js';
import { shareBox } from './plan/share-box.js';
import { localDateTime, rememberInUrl, stateFromParams } from './plan/state.js';

const onPhone = () => matchMedia('(max-width: 800px)').matches;

export async function render(main, { params, capabilities }) {
  const state = stateFromParams(params);
  const hasPlan = capabilities.query.has('plan');
  let activeEndpoint = state.origin ? 'destination' : 'origin';
  let lastResult = null;

  const trip = tripForm(state, {
    searchable: capabilities.query.has('placeSearch'),
    onPick: (which, place) => setEndpoint(which, place, { fromInput: true }),
    onFocus: (which) => { activeEndpoint = which; },
    onSwap: () => drawEndpoints(),
    onSubmit: () => runPlan(),
    onLocated: (place) => {
      setEndpoint('origin', place);
      map.panTo([place.lat, place.lon]);
    },
  });
  const resultsRegion = el('section', { class: 'results', 'aria-labelledby': 'results-title' },
    el('h2', { id: 'results-title', class: 'visually-hidden' }, t('plan.results')));
  // The selected itinerary's legs and steps, and the link to share.
  const detailRegion = el('div', { class: 'plan-detail' });
  const mapElement = el('div', { class: 'map', id: 'plan-map' });
  // What the drawn itinerary's colours and marks mean (shown once an itinerary is drawn).
  const legendElement = el('div', { class: 'legend route-legend', role: 'group', 'aria-label': t('plan.legend'), hidden: true });
  const mapColumn = el('div', { class: 'map-column' }, mapElement, legendElement, mapSettings());
  // Desktop: the side column (form, itineraries, detail) beside the map. Phone (CSS): the
  // side column dissolves so the order reads form, itineraries, then the map held at the
  // top of the screen while the selected itinerary's steps scroll under it.
  main.replaceChildren(
    el('div', { class: 'plan-layout' },
      el('div', { class: 'panel' },
        el('div', { class: 'panel-top' }, el('h1', {}, t('plan.title')), trip.form, resultsRegion),
        detailRegion),
      mapColumn),
  );

  const map = createMap(mapElement, { label: t('plan.mapLabel'), capabilities, fitStreets: () => !state.origin && !state.destination });
  // Context under the route: Issy's outline, the stations and stops near the view, named.
  drawBoundary(map, mapElement, capabilities);
  nearbyStations(map, mapElement, capabilities);
  const endpoints = L.layerGroup().addTo(map);
  const route = routeLayer(map, mapElement, legendElement);

  function setEndpoint(which, place, { fromInput = false } = {}) {
    state[which] = place;
    const placeField = trip.fieldFor(which);
    if (!fromInput) placeField.setValue(place.label);
    placeField.input.removeAttribute('aria-invalid');
    drawEndpoints();
    if (fromInput && !map.getBounds().contains([place.lat, place.lon])) map.panTo([place.lat, place.lon]);
    // The next map click sets the other end.
    activeEndpoint = which === 'origin' ? 'destination' : 'origin';
    announce(t(`plan.set.${which}`, { label: place.label }));
  }

  function drawEndpoints() {
    endpoints.clearLayers();
    if (state.origin) endpointMarker([state.origin.lat, state.origin.lon], 'A', `${t('plan.origin')}: ${state.origin.label}`).addTo(endpoints);
    if (state.destination) endpointMarker([state.destination.lat, state.destination.lon], 'B', `${t('plan.destination')}: ${state.destination.label}`).addTo(endpoints);
  }

  map.on('click', (event) => {
    const { lat, lng } = event.latlng;
    const place = { lat, lon: lng, label: `${lat.toFixed(5)}, ${lng.toFixed(5)}`, kind: 'coordinate' };
    setEndpoint(activeEndpoint, place);
  });

  /** Whether the form can be planned; if not, the form says what is missing. */
  function formIsComplete() {
    trip.formError.replaceChildren();
    const missing = [];
    for (const which of ['origin', 'destination']) {
      if (state[which]) continue;
      missing.push(t(`plan.${which}`));
      trip.fieldFor(which).input.setAttribute('aria-invalid', 'true');
    }
    if (missing.length) {
      trip.formError.textContent = t('plan.missing', { fields: missing.join(', ') });
      return false;
    }
    if (!state.direct.length && !state.services.length) {
      trip.formError.textContent = t('plan.noModes');
      return false;
    }
    return true;
  }

  async function runPlan() {
    if (!formIsComplete()) return;
    if (state.when === 'now') state.searchedAt = localDateTime(new Date());
    rememberInUrl(state);
    if (!hasPlan) {
      resultsRegion.replaceChildren(errorBox(new ApiError(t('plan.unavailable'))));
      return;
    }
    detailRegion.replaceChildren();
    resultsRegion.replaceChildren(statusLine(t('plan.searching')));
    resultsRegion.setAttribute('aria-busy', 'true');
    trip.submit.disabled = true;
    try {
      const data = await gql(PLAN_QUERY, variables(state));
      lastResult = data.plan;
      showResults({ scrollToResults: true });
    } catch (error) {
      route.clear();
      detailRegion.replaceChildren();
      resultsRegion.replaceChildren(errorBox(error));
      announce(t('plan.failed'));
    } finally {
      resultsRegion.removeAttribute('aria-busy');
      trip.submit.disabled = false;
    }
  }

  function select(index) {
    state.selected = index;
    rememberInUrl(state);
    showResults();
    // On a phone the map and the steps sit below the list: bring them into view.
    if (onPhone()) requestAnimationFrame(() => mapColumn.scrollIntoView({ block: 'start' }));
  }

  function showResults({ scrollToResults = false } = {}) {
    const itineraries = lastResult.edges.map((edge) => edge.node);
    const children = planProblems(lastResult, itineraries.length > 0);
    if (itineraries.length) {
      if (state.selected >= itineraries.length) state.selected = 0;
      const selected = itineraries[state.selected];
      children.push(...itineraryList(itineraries, state.selected, select));
      detailRegion.replaceChildren(
        itineraryCard(selected, { position: state.selected + 1, originLabel: state.origin?.label, destinationLabel: state.destination?.label }),
        shareBox(state));
      route.draw(selected);
      announce(t('plan.found', { n: itineraries.length }));
      // On a phone the list sits below the form: bring it into view once, on a new search.
      if (scrollToResults && onPhone()) {
        requestAnimationFrame(() => resultsRegion.scrollIntoView({ block: 'start' }));
      }
    } else {
      route.clear();
      detailRegion.replaceChildren();
      announce(t('plan.failed'));
    }
    resultsRegion.replaceChildren(el('h2', { id: 'results-title', class: 'visually-hidden' }, t('plan.results')), ...children);
  }

  drawEndpoints();
  if (state.origin && state.destination) runPlan();
  else if (!hasPlan) resultsRegion.replaceChildren(el('p', { class: 'warning' }, t('plan.unavailable')));

  return { dispose: () => map.remove() };
}
