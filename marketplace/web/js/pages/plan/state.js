// The plan's whole form as state, read from and written to the URL hash, so a link
// (#/plan?from=48.8091,2.2563&to=…&services=BIKE_SHARE) reproduces a search.

export const DIRECT_MODES = ['WALK', 'BICYCLE', 'CAR'];
/** The service kinds a trip may ride (the catalogue knows more, not all of them plannable). */
export const PLANNABLE_KINDS = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'PUBLIC_TRANSPORT', 'PARKING'];
const DEFAULT_DIRECT = ['WALK', 'BICYCLE'];
const DEFAULT_SERVICES = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'PUBLIC_TRANSPORT'];

function parseLocation(params, prefix) {
  const coordinate = params.get(prefix);
  const stationId = params.get(`${prefix}Station`);
  const label = params.get(`${prefix}Label`) || '';
  if (!coordinate) return null;
  const [lat, lon] = coordinate.split(',').map(Number);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return { lat, lon, label: label || `${lat.toFixed(5)}, ${lon.toFixed(5)}`, stationId: stationId || null };
}

export function stateFromParams(params) {
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

export function paramsFromState(state) {
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

/** Keep the hash in step with the state, without a new history entry or a re-render. */
export function rememberInUrl(state) {
  history.replaceState(null, '', `#/plan?${paramsFromState(state)}`);
}

/** A date-time-local value ("2026-03-02T08:15") for `date`, in the browser's time zone. */
export function localDateTime(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The link to share: the plan as searched, with its time fixed. "Leave now" becomes "leave
 * at" the moment of the search (`state.searchedAt`), so whoever opens the link later sees
 * the same trip, not one planned for when they happen to click.
 */
export function shareableUrl(state) {
  const fixed = state.when === 'now' && state.searchedAt ? { ...state, when: 'depart', at: state.searchedAt } : state;
  return `${location.origin}${location.pathname}#/plan?${paramsFromState(fixed)}`;
}
