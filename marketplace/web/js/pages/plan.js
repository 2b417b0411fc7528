// Plan a trip: origin/destination (map click or autocomplete), time, modes, preferences;
// itineraries listed; the selected one drawn leg by leg. The whole form lives in the hash.
import { ApiError, gql } from '../api.js';
import { placeInput } from '../autocomplete.js';
import { announce, el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { modeIcon } from '../icons.js';
import { createMap, focusOn, endpointMarker, L, legLayer, MODE_COLOURS, pointMarker, setTileUrl, tileUrl } from '../map.js';

const DIRECT_MODES = ['WALK', 'BICYCLE', 'CAR'];
const SERVICE_KINDS = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'PUBLIC_TRANSPORT', 'PARKING'];
const DEFAULT_DIRECT = ['WALK', 'BICYCLE'];
const DEFAULT_SERVICES = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'PUBLIC_TRANSPORT'];

const PLAN_QUERY = `query Plan($origin: PlanLocationInput!, $destination: PlanLocationInput!,
    $dateTime: PlanDateTimeInput, $modes: PlanModesInput, $preferences: PlanPreferencesInput) {
  plan(origin: $origin, destination: $destination, dateTime: $dateTime, modes: $modes,
       preferences: $preferences, numItineraries: 5) {
    searchDateTime
    warnings
    routingErrors { code description inputField }
    edges { node {
      start end durationS distanceM walkDistanceM transfers priceMinor currency co2Grams
      legs {
        mode start end durationS distanceM priceMinor currency co2Grams geojson polyline
        from { lat lon name stationId stopId vehiclesAvailable docksAvailable }
        to { lat lon name stationId stopId vehiclesAvailable docksAvailable }
        service { id name kind }
        steps { instruction streetName distanceM durationS turn lat lon }
        transit { routeName headsign intermediateStops { stopId name lat lon time } }
      }
    } }
  }
}`;

function parseLocation(params, prefix) {
  const coordinate = params.get(prefix);
  const stationId = params.get(`${prefix}Station`);
  const label = params.get(`${prefix}Label`) || '';
  if (!coordinate) return null;
  const [lat, lon] = coordinate.split(',').map(Number);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return { lat, lon, label: label || `${lat.toFixed(5)}, ${lon.toFixed(5)}`, stationId: stationId || null };
}

function stateFromParams(params) {
  const list = (name, fallback) => (params.has(name) ? params.get(name).split(',').filter(Boolean) : fallback);
  return {
    origin: parseLocation(params, 'from'),
    destination: parseLocation(params, 'to'),
    when: params.get('when') || 'now',
    at: params.get('at') || '',
    direct: list('direct', DEFAULT_DIRECT),
    services: list('services', DEFAULT_SERVICES),
    optimize: params.get('optimize') || 'TIME',
    wheelchair: params.get('wheelchair') === '1',
    maxWalk: params.get('maxWalk') || '',
    walkSpeed: params.get('walkSpeed') || '',
    minRating: params.get('minRating') || '',
    bikeSpeed: params.get('bikeSpeed') || '',
    selected: Number(params.get('selected') || 0),
  };
}

function paramsFromState(state) {
  const params = new URLSearchParams();
  for (const [prefix, place] of [['from', state.origin], ['to', state.destination]]) {
    if (!place) continue;
    params.set(prefix, `${place.lat.toFixed(6)},${place.lon.toFixed(6)}`);
    params.set(`${prefix}Label`, place.label);
    if (place.stationId) params.set(`${prefix}Station`, place.stationId);
  }
  if (state.when !== 'now') {
    params.set('when', state.when);
    if (state.at) params.set('at', state.at);
  }
  params.set('direct', state.direct.join(','));
  params.set('services', state.services.join(','));
  if (state.optimize !== 'TIME') params.set('optimize', state.optimize);
  if (state.wheelchair) params.set('wheelchair', '1');
  for (const name of ['maxWalk', 'walkSpeed', 'bikeSpeed', 'minRating']) if (state[name]) params.set(name, state[name]);
  if (state.selected) params.set('selected', String(state.selected));
  return params;
}

function locationInput(place) {
  // Coordinates always go with the station id's label; the server takes one of the two.
  if (place.stationId) return { stationId: place.stationId, label: place.label };
  return { coordinate: { latitude: place.lat, longitude: place.lon }, label: place.label };
}

function variables(state) {
  const vars = {
    origin: locationInput(state.origin),
    destination: locationInput(state.destination),
    modes: { direct: state.direct, services: state.services },
    preferences: { optimize: state.optimize, wheelchair: state.wheelchair },
  };
  if (state.when !== 'now' && state.at) {
    const iso = new Date(state.at).toISOString();
    vars.dateTime = state.when === 'arrive' ? { latestArrival: iso } : { earliestDeparture: iso };
  }
  const numeric = { maxWalk: 'maxWalkDistanceM', walkSpeed: 'walkSpeedKmh', bikeSpeed: 'bikeSpeedKmh', minRating: 'minServiceRating' };
  for (const [name, key] of Object.entries(numeric)) {
    if (state[name] !== '' && Number.isFinite(Number(state[name]))) vars.preferences[key] = Number(state[name]);
  }
  return vars;
}

function modeBadge(mode) {
  return el('span', { class: `mode-badge mode-${mode}`, style: `--mode-colour: ${MODE_COLOURS[mode] || '#334155'}` }, modeIcon(mode), t(`mode.${mode}`));
}

function availabilityText(place) {
  const parts = [];
  if (place.vehiclesAvailable !== null && place.vehiclesAvailable !== undefined) parts.push(t('avail.vehicles', { n: place.vehiclesAvailable }));
  if (place.docksAvailable !== null && place.docksAvailable !== undefined) parts.push(t('avail.docks', { n: place.docksAvailable }));
  return parts.join(', ');
}

function placeName(place) {
  return place.name || `${place.lat.toFixed(5)}, ${place.lon.toFixed(5)}`;
}

export async function render(main, { params, capabilities }) {
  const state = stateFromParams(params);
  const hasPlan = capabilities.query.has('plan');
  const searchable = capabilities.query.has('placeSearch');

  const heading = el('h1', {}, t('plan.title'));
  const form = el('form', { class: 'plan-form', novalidate: true, 'aria-labelledby': 'plan-form-title' });
  const resultsRegion = el('section', { class: 'results', 'aria-labelledby': 'results-title' },
    el('h2', { id: 'results-title', class: 'visually-hidden' }, t('plan.results')));
  const mapElement = el('div', { class: 'map', id: 'plan-map' });
  // What the drawn itinerary's colours and marks mean (shown once an itinerary is drawn).
  const legendElement = el('div', { class: 'legend route-legend', role: 'group', 'aria-label': t('plan.legend'), hidden: true });
  main.replaceChildren(
    el('div', { class: 'plan-layout' },
      el('div', { class: 'panel' }, heading, form, resultsRegion),
      el('div', { class: 'map-column' }, mapElement, legendElement, mapSettings())),
  );

  const map = createMap(mapElement, { label: t('plan.mapLabel'), capabilities, fitStreets: () => !state.origin && !state.destination });
  const endpoints = L.layerGroup().addTo(map);
  const routeLayer = L.featureGroup().addTo(map);
  let activeEndpoint = state.origin ? 'destination' : 'origin';
  let lastResult = null;

  // --- form ---
  const originField = placeInput({
    label: t('plan.origin'), name: 'origin', searchable,
    onPick: (place) => setEndpoint('origin', place, { fromInput: true }),
    onFocus: () => { activeEndpoint = 'origin'; },
  });
  const destinationField = placeInput({
    label: t('plan.destination'), name: 'destination', searchable,
    onPick: (place) => setEndpoint('destination', place, { fromInput: true }),
    onFocus: () => { activeEndpoint = 'destination'; },
  });
  if (state.origin) originField.setValue(state.origin.label);
  if (state.destination) destinationField.setValue(state.destination.label);

  const swap = el('button', { type: 'button', class: 'secondary', onclick: () => {
    [state.origin, state.destination] = [state.destination, state.origin];
    originField.setValue(state.origin?.label || '');
    destinationField.setValue(state.destination?.label || '');
    drawEndpoints();
  } }, t('plan.swap'));

  const whenSelect = el('select', { name: 'when' },
    ...['now', 'depart', 'arrive'].map((value) => el('option', { value, selected: state.when === value }, t(`plan.when.${value}`))));
  const atInput = el('input', { type: 'datetime-local', name: 'at', value: state.at || defaultLocalTime() });
  const atField = field(t('plan.at'), atInput);
  atField.hidden = state.when === 'now';
  whenSelect.addEventListener('change', () => { atField.hidden = whenSelect.value === 'now'; });

  const directBoxes = DIRECT_MODES.map((mode) => checkbox('direct', mode, t(`mode.${mode}`), state.direct.includes(mode)));
  const serviceBoxes = SERVICE_KINDS.map((kind) => checkbox('services', kind, t(`kind.${kind}`), state.services.includes(kind)));

  const optimizeSelect = el('select', { name: 'optimize' },
    ...['TIME', 'PRICE', 'CO2'].map((value) => el('option', { value, selected: state.optimize === value }, t(`plan.optimize.${value}`))));
  const wheelchair = checkbox('wheelchair', '1', t('plan.wheelchair'), state.wheelchair);
  const maxWalk = el('input', { type: 'number', name: 'maxWalk', min: 0, step: 50, inputmode: 'numeric', value: state.maxWalk });
  const walkSpeed = el('input', { type: 'number', name: 'walkSpeed', min: 1, max: 10, step: 0.1, inputmode: 'decimal', value: state.walkSpeed });
  const bikeSpeed = el('input', { type: 'number', name: 'bikeSpeed', min: 5, max: 40, step: 0.5, inputmode: 'decimal', value: state.bikeSpeed });
  // Residents' ratings of services, where the co-creation API rates them.
  const minRating = el('select', { name: 'minRating' },
    ['', '3', '4', '4.5'].map((value) => el('option', { value, selected: state.minRating === value }, value ? t('plan.minRatingAtLeast', { n: fmt.number(Number(value)) }) : t('plan.minRatingAny'))));

  const formError = el('div', { class: 'form-error', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'primary' }, t('plan.submit'));

  form.append(
    el('h2', { id: 'plan-form-title', class: 'visually-hidden' }, t('plan.formTitle')),
    originField.element,
    destinationField.element,
    el('p', { class: 'hint' }, t('plan.mapHint')),
    el('div', { class: 'row' }, swap),
    el('div', { class: 'row' }, field(t('plan.when.label'), whenSelect), atField),
    el('fieldset', {}, el('legend', {}, t('plan.modes')), el('div', { class: 'checks' }, directBoxes)),
    el('fieldset', {}, el('legend', {}, t('plan.services')), el('div', { class: 'checks' }, serviceBoxes)),
    el('details', { class: 'preferences' },
      el('summary', {}, t('plan.preferences')),
      field(t('plan.optimize.label'), optimizeSelect),
      wheelchair,
      field(t('plan.maxWalk'), maxWalk),
      field(t('plan.walkSpeed'), walkSpeed),
      field(t('plan.bikeSpeed'), bikeSpeed),
      field(t('plan.minRating'), minRating)),
    formError,
    el('div', { class: 'row' }, submit),
  );

  function checkbox(name, value, labelText, checked) {
    const input = el('input', { type: 'checkbox', name, value, checked });
    return el('label', { class: 'check' }, input, ' ', labelText);
  }

  function readForm() {
    state.when = whenSelect.value;
    state.at = atInput.value;
    state.direct = [...form.querySelectorAll('input[name="direct"]:checked')].map((box) => box.value);
    state.services = [...form.querySelectorAll('input[name="services"]:checked')].map((box) => box.value);
    state.optimize = optimizeSelect.value;
    state.wheelchair = form.querySelector('input[name="wheelchair"]').checked;
    state.maxWalk = maxWalk.value;
    state.walkSpeed = walkSpeed.value;
    state.bikeSpeed = bikeSpeed.value;
    state.minRating = minRating.value;
  }

  function setEndpoint(which, place, { fromInput = false } = {}) {
    state[which] = place;
    if (!fromInput) (which === 'origin' ? originField : destinationField).setValue(place.label);
    (which === 'origin' ? originField : destinationField).input.removeAttribute('aria-invalid');
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

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    readForm();
    state.selected = 0;
    runPlan();
  });

  // --- results ---
  async function runPlan() {
    formError.replaceChildren();
    const missing = [];
    if (!state.origin) { missing.push(t('plan.origin')); originField.input.setAttribute('aria-invalid', 'true'); }
    if (!state.destination) { missing.push(t('plan.destination')); destinationField.input.setAttribute('aria-invalid', 'true'); }
    if (missing.length) {
      formError.textContent = t('plan.missing', { fields: missing.join(', ') });
      return;
    }
    if (!state.direct.length && !state.services.length) {
      formError.textContent = t('plan.noModes');
      return;
    }
    history.replaceState(null, '', `#/plan?${paramsFromState(state)}`);
    if (!hasPlan) {
      resultsRegion.replaceChildren(errorBox(new ApiError(t('plan.unavailable'))));
      return;
    }
    resultsRegion.replaceChildren(statusLine(t('plan.searching')));
    resultsRegion.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const data = await gql(PLAN_QUERY, variables(state));
      lastResult = data.plan;
      showResults({ scrollToResults: true });
    } catch (error) {
      clearRoute();
      resultsRegion.replaceChildren(errorBox(error));
      announce(t('plan.failed'));
    } finally {
      resultsRegion.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  }

  function showResults({ scrollToResults = false } = {}) {
    const result = lastResult;
    const children = [];
    const itineraries = result.edges.map((edge) => edge.node);
    if (result.routingErrors.length) {
      children.push(el('div', { class: 'error', role: 'alert' },
        el('strong', {}, itineraries.length ? t('plan.partialErrors') : t('plan.noItinerary')),
        el('ul', {}, result.routingErrors.map((error) => el('li', { dataset: { code: error.code } },
          el('span', { class: 'error-headline' }, t(`routingError.${error.code}`, {}, error.code)), ' ',
          el('span', { class: 'error-detail' }, error.description))))));
    }
    if (result.warnings.length) {
      children.push(el('div', { class: 'warning' }, el('ul', {}, result.warnings.map((warning) => el('li', {}, warning)))));
    }
    if (!itineraries.length && !result.routingErrors.length) {
      children.push(el('div', { class: 'error', role: 'alert' }, t('plan.noItinerary')));
    }
    if (itineraries.length) {
      if (state.selected >= itineraries.length) state.selected = 0;
      children.push(el('h2', { id: 'itineraries-title' }, t('plan.itineraries', { n: itineraries.length })));
      const list = el('ol', { class: 'itineraries', 'aria-labelledby': 'itineraries-title' });
      itineraries.forEach((itinerary, index) => {
        const modes = [...new Set(itinerary.legs.map((leg) => leg.mode))];
        const button = el('button', {
          type: 'button',
          class: 'itinerary',
          'aria-pressed': String(index === state.selected),
          dataset: { index: String(index) },
          onclick: () => { state.selected = index; history.replaceState(null, '', `#/plan?${paramsFromState(state)}`); showResults(); },
        },
        el('span', { class: 'itinerary-main' },
          el('span', { class: 'itinerary-duration' }, fmt.duration(itinerary.durationS)),
          el('span', { class: 'itinerary-times' }, `${fmt.time(itinerary.start)} – ${fmt.time(itinerary.end)}`)),
        el('span', { class: 'itinerary-modes' }, modes.map(modeBadge)),
        el('span', { class: 'itinerary-facts' },
          el('span', { class: 'fact-price' }, fmt.price(itinerary.priceMinor, itinerary.currency)),
          el('span', { class: 'fact-co2' }, fmt.co2(itinerary.co2Grams)),
          el('span', { class: 'fact-walk' }, t('plan.walking', { d: fmt.distance(itinerary.walkDistanceM) })),
          itinerary.transfers ? el('span', {}, t('plan.transfers', { n: itinerary.transfers })) : null));
        list.append(el('li', {}, button));
      });
      children.push(list);
      const selected = itineraries[state.selected];
      children.push(itineraryDetails(selected));
      children.push(shareBox());
      drawItinerary(selected);
      announce(t('plan.found', { n: itineraries.length }));
      // On a phone the list sits below the map: bring it into view once, on a new search.
      if (scrollToResults && matchMedia('(max-width: 800px)').matches) {
        requestAnimationFrame(() => resultsRegion.scrollIntoView({ block: 'start' }));
      }
    } else {
      clearRoute();
      announce(t('plan.failed'));
    }
    resultsRegion.replaceChildren(el('h2', { id: 'results-title', class: 'visually-hidden' }, t('plan.results')), ...children);
  }

  function itineraryDetails(itinerary) {
    const legs = el('ol', { class: 'legs' });
    const last = itinerary.legs.length - 1;
    // Unnamed ends of the trip read as what the commuter typed or picked.
    const label = (place, fallback) => (place.name ? placeName(place) : fallback || placeName(place));
    itinerary.legs.forEach((leg, index) => {
      const availability = [availabilityText(leg.from), availabilityText(leg.to)];
      legs.append(el('li', { class: 'leg', style: `--mode-colour: ${MODE_COLOURS[leg.mode] || '#334155'}` },
        el('div', { class: 'leg-head' },
          modeBadge(leg.mode),
          leg.service ? el('a', { href: `#/services/${encodeURIComponent(leg.service.id)}` }, leg.service.name) : null,
          leg.transit ? el('span', {}, `${leg.transit.routeName}${leg.transit.headsign ? ` → ${leg.transit.headsign}` : ''}`) : null,
          el('span', { class: 'leg-facts' }, `${fmt.duration(leg.durationS)} · ${fmt.distance(leg.distanceM)}`,
            leg.priceMinor ? ` · ${fmt.price(leg.priceMinor, leg.currency)}` : '')),
        el('p', { class: 'leg-places' },
          `${fmt.time(leg.start)} ${label(leg.from, index === 0 ? state.origin?.label : null)}`,
          availability[0] ? ` (${availability[0]})` : '',
          ' → ',
          `${fmt.time(leg.end)} ${label(leg.to, index === last ? state.destination?.label : null)}`,
          availability[1] ? ` (${availability[1]})` : ''),
        leg.steps.length
          ? el('details', { class: 'steps' },
            el('summary', {}, t('plan.steps', { n: leg.steps.length })),
            el('ol', {}, leg.steps.map((step) => el('li', {}, step.instruction, ' ', el('span', { class: 'hint' }, fmt.distance(step.distanceM))))))
          : null,
        leg.transit?.intermediateStops?.length
          ? el('details', { class: 'steps' },
            el('summary', {}, t('plan.stops', { n: leg.transit.intermediateStops.length })),
            el('ol', { class: 'stop-list' }, leg.transit.intermediateStops.map((stop) => el('li', {},
              el('span', { class: 'stop-dot', 'aria-hidden': 'true' }), ' ', `${fmt.time(stop.time)} ${stop.name}`))))
          : null));
    });
    return el('section', { class: 'itinerary-details', 'aria-labelledby': 'details-title' },
      el('h2', { id: 'details-title' }, t('plan.details', { n: state.selected + 1 })), legs);
  }

  function shareBox() {
    const url = location.href;
    const input = el('input', { type: 'url', readonly: true, value: url, class: 'share-url' });
    const copy = el('button', { type: 'button', class: 'secondary', onclick: async () => {
      try {
        await navigator.clipboard.writeText(url);
        announce(t('plan.copied'));
        copy.textContent = t('plan.copied');
      } catch {
        input.select();
      }
    } }, t('plan.copy'));
    return el('div', { class: 'share' }, field(t('plan.share'), input), copy);
  }

  function drawItinerary(itinerary) {
    routeLayer.clearLayers();
    for (const leg of itinerary.legs) {
      const colour = MODE_COLOURS[leg.mode] || '#334155';
      const walking = leg.mode === 'WALK';
      // A white casing under each leg keeps colours apart from the grey streets.
      legLayer(leg, { color: '#ffffff', weight: 9, opacity: 0.9 }).addTo(routeLayer);
      legLayer(leg, { color: colour, weight: 5, opacity: 1, dashArray: walking ? '2 8' : null, lineCap: 'round' })
        .addTo(routeLayer);
      for (const place of [leg.from, leg.to]) {
        if (place.stationId || place.stopId) {
          const extra = availabilityText(place);
          pointMarker([place.lat, place.lon], { colour, title: `${placeName(place)}${extra ? ` — ${extra}` : ''}` }).addTo(routeLayer);
        }
      }
    }
    // The stops a timetabled leg passes: small markers in the leg's colour, named and timed.
    let stops = 0;
    for (const leg of itinerary.legs) {
      const colour = MODE_COLOURS[leg.mode] || '#334155';
      for (const stop of leg.transit?.intermediateStops ?? []) {
        if (!Number.isFinite(stop.lat) || !Number.isFinite(stop.lon)) continue;
        stopMarker(stop, colour).addTo(routeLayer);
        stops += 1;
      }
    }
    mapElement.dataset.legs = String(itinerary.legs.length);
    mapElement.dataset.stops = String(stops);
    legendElement.replaceChildren(...routeLegend(itinerary, stops));
    legendElement.hidden = false;
    const bounds = routeLayer.getBounds();
    focusOn(map, bounds);
  }

  function clearRoute() {
    routeLayer.clearLayers();
    delete mapElement.dataset.stops;
    legendElement.hidden = true;
    legendElement.replaceChildren();
  }

  drawEndpoints();
  if (state.origin && state.destination) runPlan();
  else if (!hasPlan) resultsRegion.replaceChildren(el('p', { class: 'warning' }, t('plan.unavailable')));

  return { dispose: () => map.remove() };
}

/** A timetabled leg's intermediate stop: a small ring in the leg's colour, its name and time on hover or focus. */
function stopMarker(stop, colour) {
  const label = t('plan.stopAt', { name: stop.name, time: fmt.time(stop.time) });
  const icon = L.divIcon({
    className: 'transit-stop',
    html: `<span style="--mode-colour: ${colour}"></span>`,
    iconSize: [14, 14],
    iconAnchor: [7, 7],
  });
  const marker = L.marker([stop.lat, stop.lon], { icon, title: label, alt: label, keyboard: true, riseOnHover: true });
  marker.bindTooltip(label, { direction: 'top', offset: [0, -6] });
  marker.on('add', () => {
    const node = marker.getElement();
    if (node) {
      node.dataset.stopId = stop.stopId;
      node.setAttribute('aria-label', label);
    }
  });
  return marker;
}

/** The legend of the drawn itinerary: one line per mode in its colour, and the stop marks. */
function routeLegend(itinerary, stops) {
  const modes = [...new Set(itinerary.legs.map((leg) => leg.mode))];
  return [
    el('span', { class: 'legend-title' }, t('plan.legend')),
    ...modes.map((mode) => el('span', { class: 'legend-item' },
      el('span', { class: `legend-line${mode === 'WALK' ? ' dashed' : ''}`, style: `--mode-colour: ${MODE_COLOURS[mode] || '#334155'}`, 'aria-hidden': 'true' }), ' ', t(`mode.${mode}`))),
    stops ? el('span', { class: 'legend-item' },
      el('span', { class: 'stop-dot', style: `--mode-colour: ${MODE_COLOURS[itinerary.legs.find((leg) => leg.transit?.intermediateStops?.length)?.mode] || MODE_COLOURS.TRANSIT}`, 'aria-hidden': 'true' }), ' ', t('plan.legendStop')) : null,
  ];
}

function defaultLocalTime() {
  const now = new Date(Date.now() + 10 * 60 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}

function mapSettings() {
  const input = el('input', { type: 'url', name: 'tileUrl', value: tileUrl(), placeholder: 'https://tile.example.org/{z}/{x}/{y}.png' });
  const save = el('button', { type: 'button', class: 'secondary', onclick: () => {
    setTileUrl(input.value.trim());
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } }, t('map.saveTiles'));
  return el('details', { class: 'map-settings' },
    el('summary', {}, t('map.settings')),
    field(t('map.tileUrl'), input, t('map.tileHint')),
    save);
}

