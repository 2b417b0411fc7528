// What a map shows around the user's own data, from the data at hand (no tiles needed):
// Issy's boundary from the `region` query (seeded with the open data), and the stations and
// stops near the view with their names. Both sit in panes below Leaflet's overlay pane, so a
// route or a service's own stations are always drawn on top.
import { gql } from '../api.js';
import { t } from '../i18n/index.js';
import { L, MODE_COLOURS } from '../map.js';

// Below this zoom the view holds hundreds of stations (1,495 Vélib' ones around Issy): none
// are drawn, and the map says to zoom in.
export const STATIONS_MIN_ZOOM = 15;
// From this zoom on, stations show their names (those that fit without covering another).
export const LABELS_MIN_ZOOM = 16;
// A label's room on screen, in pixels: a name whose box would overlap a drawn one is left out.
const LABEL_BOX_PX = { width: 130, height: 18 };
// The most stations asked for at once (the API's largest page), nearest the view's centre.
const STATIONS_PER_VIEW = 100;

const BOUNDARY_PANE = 'issyBoundary';
const STATIONS_PANE = 'issyStations';

let regionPromise = null;

/** Issy's region ({name, boundaryGeojson}) or null, fetched once per page load. */
function region() {
  if (!regionPromise) {
    regionPromise = gql('query Region { region { name boundaryGeojson attribution } }')
      .then((data) => data.region);
    regionPromise.catch(() => {
      regionPromise = null;
    });
  }
  return regionPromise;
}

function pane(map, name, zIndex) {
  if (!map.getPane(name)) {
    const created = map.createPane(name);
    created.style.zIndex = String(zIndex);
    // Context never takes a click away from the map (endpoints are set by clicking).
    created.style.pointerEvents = 'none';
  }
  return name;
}

/** Issy's boundary as a thin outline with a faint fill; `element.dataset.boundary` names it. */
export function drawBoundary(map, element, capabilities) {
  if (!capabilities?.query.has('region')) return;
  region()
    .then((found) => {
      if (!found || !map.getContainer().isConnected) return;
      const geojson = typeof found.boundaryGeojson === 'string' ? JSON.parse(found.boundaryGeojson) : found.boundaryGeojson;
      L.geoJSON(geojson, {
        pane: pane(map, BOUNDARY_PANE, 350),
        interactive: false,
        style: () => ({ color: '#1e3a8a', weight: 2.5, opacity: 0.8, dashArray: '8 5', fill: true, fillColor: '#1e3a8a', fillOpacity: 0.04 }),
      }).addTo(map);
      if (found.attribution) map.attributionControl.addAttribution(found.attribution);
      element.dataset.boundary = found.name;
    })
    .catch(() => {
      // The outline is context only: the map reads without it.
    });
}

const STATIONS_QUERY = `
query Near($lat: Float!, $lon: Float!, $r: Float!, $first: Int) {
  stationsNear(lat: $lat, lon: $lon, radiusM: $r, first: $first) {
    station { id name lat lon kind service { name kind } }
  }
}`;

function stationColour(station) {
  if (station.kind === 'STOP') return MODE_COLOURS.TRANSIT;
  return MODE_COLOURS[station.service.kind] || MODE_COLOURS.TRANSIT;
}

/** Whether a label at `point` fits beside the labels already `placed` (greedy, nearest first). */
function labelFits(point, placed) {
  return placed.every((other) => Math.abs(other.x - point.x) > LABEL_BOX_PX.width
    || Math.abs(other.y - point.y) > LABEL_BOX_PX.height);
}

/**
 * The published stations and stops near the view, as dots, named from LABELS_MIN_ZOOM (one
 * label per name, none covering another), none below STATIONS_MIN_ZOOM (a hint says to zoom
 * in). The map element's `data-context-stations` counts the dots and
 * `data-context-labels` the names drawn (the browser tests read them).
 */
export function nearbyStations(map, element, capabilities) {
  if (!capabilities?.query.has('stationsNear')) return { refresh() {} };
  const layer = L.layerGroup().addTo(map);
  const stationsPane = pane(map, STATIONS_PANE, 380);
  const hint = L.control({ position: 'topright' });
  hint.onAdd = () => {
    const div = L.DomUtil.create('div', 'map-hint');
    div.textContent = t('map.zoomForStations');
    return div;
  };
  let shown = false;
  let request = 0;

  function showHint(visible) {
    if (visible && !shown) hint.addTo(map);
    if (!visible && shown) hint.remove();
    shown = visible;
  }

  async function refresh() {
    const mine = ++request;
    if (map.getZoom() < STATIONS_MIN_ZOOM) {
      layer.clearLayers();
      element.dataset.contextStations = '0';
      showHint(true);
      return;
    }
    showHint(false);
    const centre = map.getCenter();
    const radiusM = Math.min(5000, centre.distanceTo(map.getBounds().getNorthEast()));
    let data;
    try {
      data = await gql(STATIONS_QUERY, { lat: centre.lat, lon: centre.lng, r: radiusM, first: STATIONS_PER_VIEW });
    } catch {
      return; // context only: the next move asks again
    }
    if (mine !== request) return; // a later move already asked
    layer.clearLayers();
    const labelled = map.getZoom() >= LABELS_MIN_ZOOM;
    const placed = [];
    const named = new Set();
    for (const { station } of data.stationsNear) {
      const colour = stationColour(station);
      const marker = L.circleMarker([station.lat, station.lon], {
        pane: stationsPane,
        radius: station.kind === 'STOP' ? 4 : 5,
        color: colour,
        weight: 2,
        fillColor: '#ffffff',
        fillOpacity: 1,
        interactive: false,
      });
      marker.addTo(layer);
      const point = map.latLngToContainerPoint([station.lat, station.lon]);
      // Stops of both directions share a name: one label says it.
      if (labelled && !named.has(station.name) && labelFits(point, placed)) {
        named.add(station.name);
        placed.push(point);
        marker.bindTooltip(station.name, {
          permanent: true,
          direction: 'right',
          offset: [6, 0],
          className: 'station-label',
        }).openTooltip();
      }
    }
    element.dataset.contextStations = String(data.stationsNear.length);
    element.dataset.contextLabels = String(placed.length);
  }

  map.on('moveend', refresh);
  map.whenReady(refresh);
  return { refresh };
}
