// The map: Leaflet from the npm package (served under /vendor/leaflet), streets drawn from our
// own GeoJSON (the `streetMap` query) so the map reads offline; tiles only when configured.
import * as L from '/vendor/leaflet/leaflet-src.esm.js';
import { gql } from './api.js';
import { t } from './i18n/index.js';

export { L };

export const ISSY_CENTER = [48.8245, 2.2700];
// [minLon, minLat, maxLon, maxLat] around Issy-les-Moulineaux with a margin.
export const ISSY_BBOX = [2.2, 48.795, 2.3, 48.845];

const TILE_URL_KEY = 'issy.tileUrl';

export const MODE_COLOURS = {
  WALK: '#4b5563',
  BICYCLE: '#15803d',
  CAR: '#b91c1c',
  BIKE_SHARE: '#0f766e',
  SCOOTER_SHARE: '#7c3aed',
  CAR_SHARE: '#c2410c',
  ON_DEMAND: '#a16207',
  SHUTTLE: '#1d4ed8',
  TRANSIT: '#1e3a8a',
  PARKING: '#334155',
};

export function tileUrl() {
  try {
    return localStorage.getItem(TILE_URL_KEY) || '';
  } catch {
    return '';
  }
}

export function setTileUrl(url) {
  if (url) localStorage.setItem(TILE_URL_KEY, url);
  else localStorage.removeItem(TILE_URL_KEY);
}

let streetsPromise = null;

/** The street centrelines (GeoJSON FeatureCollection), fetched once per page load. */
function streetGeojson() {
  if (!streetsPromise) {
    streetsPromise = gql(
      'query Streets($bbox: [Float!]) { streetMap(bbox: $bbox, mode: WALK) }',
      { bbox: ISSY_BBOX },
    ).then((data) => (typeof data.streetMap === 'string' ? JSON.parse(data.streetMap) : data.streetMap));
    streetsPromise.catch(() => {
      streetsPromise = null;
    });
  }
  return streetsPromise;
}

/**
 * A Leaflet map in `element`, labelled for assistive technology, with OSM attribution, the
 * street network as a base layer and an optional tile layer.
 * `capabilities` tells whether the server has `streetMap`.
 */
export function createMap(element, { label, capabilities, center = ISSY_CENTER, zoom = 14, fitStreets = false } = {}) {
  const fitStreetsNow = typeof fitStreets === 'function' ? fitStreets : () => fitStreets;
  const map = L.map(element, {
    center,
    zoom,
    preferCanvas: true,
    zoomControl: true,
    attributionControl: true,
  });
  element.setAttribute('role', 'region');
  element.setAttribute('aria-label', label || t('map.label'));
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>',
  );
  map.attributionControl.addAttribution(
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a> (ODbL)',
  );
  const url = tileUrl();
  if (url) {
    L.tileLayer(url, { maxZoom: 19 }).addTo(map);
  }
  const status = L.control({ position: 'bottomleft' });
  status.onAdd = () => {
    const div = L.DomUtil.create('div', 'map-status');
    div.setAttribute('role', 'status');
    return div;
  };
  status.addTo(map);
  const statusElement = status.getContainer();
  if (capabilities?.query.has('streetMap')) {
    statusElement.textContent = t('map.loadingStreets');
    streetGeojson()
      .then((geojson) => {
        const layer = L.geoJSON(geojson, {
          interactive: false,
          style: (feature) => ({
            color: url ? '#6b7280' : '#9ca3af',
            weight: feature?.properties?.name ? 2 : 1.2,
            opacity: url ? 0.5 : 0.9,
          }),
        });
        layer.addTo(map);
        layer.bringToBack();
        element.dataset.streets = String(geojson.features?.length ?? 0);
        // With nothing else to show yet, frame the streets the server knows.
        if (fitStreetsNow() && layer.getBounds().isValid()) focusOn(map, layer.getBounds());
        statusElement.textContent = '';
      })
      .catch(() => {
        statusElement.textContent = t('map.streetsFailed');
      });
  } else if (!url) {
    statusElement.textContent = t('map.noStreets');
  }
  // Leaflet measures its container once; layouts change (phone rotation, panels, fonts).
  const observer = new ResizeObserver(() => {
    map.invalidateSize({ pan: false });
    if (map.issyFocus) map.fitBounds(map.issyFocus.bounds, map.issyFocus.options);
  });
  observer.observe(element);
  map.on('dragstart', () => {
    map.issyFocus = null;
  });
  map.on('unload', () => observer.disconnect());
  return map;
}

/** Frame `bounds`, and keep them framed when the map's box changes size (until a drag). */
export function focusOn(map, bounds, options = { padding: [24, 24] }) {
  if (!bounds.isValid()) return;
  // No animation: the frame is final at once (and calm for readers who avoid motion).
  map.issyFocus = { bounds, options: { ...options, animate: false } };
  map.fitBounds(bounds, map.issyFocus.options);
}

/** A round marker (no image files needed), with a tooltip that names it. */
export function pointMarker(latlng, { colour = '#1d4ed8', radius = 7, title = '', fill = '#ffffff' } = {}) {
  const marker = L.circleMarker(latlng, {
    radius,
    color: colour,
    weight: 3,
    fillColor: fill,
    fillOpacity: 1,
  });
  if (title) marker.bindTooltip(title);
  return marker;
}

/** A labelled pin for an origin ("A") or destination ("B"). */
export function endpointMarker(latlng, letter, title) {
  const icon = L.divIcon({
    className: `endpoint-pin endpoint-${letter.toLowerCase()}`,
    html: `<span aria-hidden="true">${letter}</span>`,
    iconSize: [28, 28],
    iconAnchor: [14, 14],
  });
  return L.marker(latlng, { icon, title, alt: title, keyboard: false });
}

/** Leaflet layer for a leg's `geojson` (Feature, geometry or FeatureCollection) or polyline. */
export function legLayer(leg, style) {
  let geojson = leg.geojson;
  if (typeof geojson === 'string') {
    try {
      geojson = JSON.parse(geojson);
    } catch {
      geojson = null;
    }
  }
  if (geojson && (geojson.type || geojson.features)) {
    return L.geoJSON(geojson, { style: () => style, interactive: false });
  }
  if (leg.polyline) {
    return L.polyline(decodePolyline(leg.polyline), { ...style, interactive: false });
  }
  return L.polyline([[leg.from.lat, leg.from.lon], [leg.to.lat, leg.to.lon]], { ...style, dashArray: '4 6' });
}

/** Google's encoded polyline algorithm, precision 1e5. */
export function decodePolyline(text, precision = 5) {
  const factor = 10 ** precision;
  const points = [];
  let index = 0;
  let lat = 0;
  let lon = 0;
  while (index < text.length) {
    for (const which of [0, 1]) {
      let shift = 0;
      let result = 0;
      let byte;
      do {
        byte = text.charCodeAt(index++) - 63;
        result |= (byte & 0x1f) << shift;
        shift += 5;
      } while (byte >= 0x20 && index < text.length);
      const delta = result & 1 ? ~(result >> 1) : result >> 1;
      if (which === 0) lat += delta;
      else lon += delta;
    }
    points.push([lat / factor, lon / factor]);
  }
  return points;
}
