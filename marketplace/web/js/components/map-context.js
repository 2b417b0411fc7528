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
// A label's room on screen, in pixels (its width from its length at the labels' 12 px font):
// a name whose box would overlap a drawn one is left out.
const LABEL_HEIGHT_PX = 18;
const LABEL_CHAR_PX = 7;
const LABEL_OFFSET_PX = 6;
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
      // OpenStreetMap is credited on every map already: only another source is added.
      if (found.attribution && !/openstreetmap/i.test(found.attribution)) map.attributionControl.addAttribution(found.attribution);
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

/** The screen box a label beside `point` takes: [left, top, right, bottom]. */
function labelBox(point, name) {
  const left = point.x + LABEL_OFFSET_PX;
  return [left - 10, point.y - LABEL_HEIGHT_PX / 2, left + 12 + name.length * LABEL_CHAR_PX, point.y + LABEL_HEIGHT_PX / 2];
}

/** Whether `box` overlaps none of the boxes already `placed` (greedy, nearest first). */
function labelFits(box, placed) {
  return placed.every((other) => box[2] < other[0] || other[2] < box[0] || box[3] < other[1] || other[3] < box[1]);
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
      const box = labelBox(map.latLngToContainerPoint([station.lat, station.lon]), station.name);
      // Stops of both directions share a name: one label says it.
      if (labelled && !named.has(station.name) && labelFits(box, placed)) {
        named.add(station.name);
        placed.push(box);
        // In the stations' pane, so the route is drawn over the names too.
        marker.bindTooltip(station.name, {
          permanent: true,
          direction: 'right',
          offset: [LABEL_OFFSET_PX, 0],
          className: 'station-label',
          pane: stationsPane,
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
