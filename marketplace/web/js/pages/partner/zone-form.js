// A free-floating service's zones, drawn on the editor's map with Leaflet-Geoman (npm, served
// under /vendor/geoman): the service area, where vehicles are taken and left, and the
// no-parking areas, where rides may not end. Saved as GeoJSON with the version they were
// read at, like the service's other fields.
import { announce, el, errorBox, statusLine } from '../../dom.js';
import { language, t } from '../../i18n/index.js';
import { L } from '../../map.js';
import { confirmSaved, updateService } from './service-update.js';

const STYLES = {
  serviceArea: { color: '#7c3aed', weight: 3, fillOpacity: 0.08, pmIgnore: false },
  noParkingArea: { color: '#b91c1c', weight: 2, dashArray: '6 4', fillOpacity: 0.2, pmIgnore: false },
};

let geoman = null;

/**
 * Load Leaflet-Geoman once. It is a classic script that extends a global `L`; the client uses
 * Leaflet as an ES module, whose namespace cannot be extended, so the plugin gets a copy of
 * it. The classes are the same objects, so the plugin's hooks reach every map made after.
 */
export function loadGeoman() {
  geoman ??= new Promise((resolve, reject) => {
    window.L = { ...L };
    document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/geoman/leaflet-geoman.css' }));
    document.head.append(el('script', {
      src: '/vendor/geoman/leaflet-geoman.min.js',
      onload: () => {
        // Only the zones are the plugin's to edit: not the street lines, not the stations.
        window.L.PM.setOptIn(true);
        resolve();
      },
      onerror: () => {
        geoman = null;
        reject(new Error(t('partner.zones.noPlugin')));
      },
    }));
  });
  return geoman;
}

/** The polygons of a feature group as one GeoJSON geometry, or null when there are none. */
function geometryOf(group) {
  const polygons = group.getLayers().map((layer) => layer.toGeoJSON().geometry)
    .flatMap((geometry) => (geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates]));
  if (!polygons.length) return null;
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
}

/** Read a stored geometry into `group`, one editable polygon per part. */
function fillGroup(group, geometry, style) {
  group.clearLayers();
  if (!geometry) return;
  const parts = geometry.type === 'MultiPolygon' ? geometry.coordinates : [geometry.coordinates];
  for (const rings of parts) {
    L.polygon(rings.map((ring) => ring.map(([lon, lat]) => [lat, lon])), style).addTo(group);
  }
}

/**
 * The zones of `editor` ({id, service, reload}) on `map` (made after loadGeoman()).
 * Returns {section, fill(), drawing()}: fill() reads the service's zones again, drawing()
 * tells the map's other click handlers to stand aside.
 */
export function zoneForm(editor, map) {
  // Opted in (see loadGeoman): this map is the plugin's to draw on.
  map.pm ??= new window.L.PM.Map(map);
  map.pm.setLang(language());
  const groups = { serviceArea: L.featureGroup().addTo(map), noParkingArea: L.featureGroup().addTo(map) };
  let target = null;
  const summary = el('p', { class: 'zone-summary' });
  const message = el('div', { role: 'status' });

  function describe() {
    summary.textContent = t('partner.zones.summary', {
      n: groups.serviceArea.getLayers().length,
      parts: t('partner.zones.noParkingCount', { n: groups.noParkingArea.getLayers().length }),
    });
  }

  function draw(which) {
    target = which;
    // The partner is at work on this view: no more automatic framing under the pointer.
    map.issyFocus = null;
    // A quick second click places a corner; it must not zoom the map under the shape.
    map.doubleClickZoom.disable();
    // No snapping: the corners go where the partner clicks, not onto the nearest street.
    map.pm.enableDraw('Polygon', { snappable: false, pathOptions: STYLES[which], templineStyle: STYLES[which], hintlineStyle: { ...STYLES[which], dashArray: '4 4' } });
    message.replaceChildren(el('p', { class: 'hint' }, t('partner.zones.drawHint')));
    announce(t('partner.zones.drawHint'));
  }

  map.on('pm:drawend', () => map.doubleClickZoom.enable());
  map.on('pm:create', ({ layer }) => {
    map.removeLayer(layer);
    if (!target) return;
    // A polygon of our own, open to the plugin's edit mode (opt-in).
    L.polygon(layer.getLatLngs(), STYLES[target]).addTo(groups[target]);
    target = null;
    describe();
    message.replaceChildren(el('p', { class: 'hint' }, t('partner.zones.drawn')));
  });

  const editButton = el('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false', onclick: () => {
    map.pm.toggleGlobalEditMode();
    editButton.setAttribute('aria-pressed', String(map.pm.globalEditModeEnabled()));
  } }, t('partner.zones.edit'));
  const clear = (which) => el('button', { type: 'button', class: 'danger', onclick: () => {
    groups[which].clearLayers();
    describe();
  } }, t(`partner.zones.clear.${which}`));

  const save = el('button', { type: 'button', class: 'primary', onclick: async () => {
    if (map.pm.globalEditModeEnabled()) {
      map.pm.disableGlobalEditMode();
      editButton.setAttribute('aria-pressed', 'false');
    }
    const input = { serviceArea: geometryOf(groups.serviceArea), noParkingArea: geometryOf(groups.noParkingArea) };
    save.disabled = true;
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await updateService(editor, input);
      confirmSaved(message, t('partner.zones.saved', { n: editor.service.version }));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    } finally {
      save.disabled = false;
    }
  } }, t('partner.zones.save'));

  const section = el('section', { class: 'narrow zones', 'aria-labelledby': 'zones-title' },
    el('h2', { id: 'zones-title' }, t('partner.zones.title')),
    el('p', { class: 'hint' }, t('partner.zones.intro')),
    summary,
    el('div', { class: 'row' },
      el('button', { type: 'button', class: 'secondary', onclick: () => draw('serviceArea') }, t('partner.zones.drawArea')),
      el('button', { type: 'button', class: 'secondary', onclick: () => draw('noParkingArea') }, t('partner.zones.drawNoParking'))),
    el('div', { class: 'row' }, editButton, clear('serviceArea'), clear('noParkingArea')),
    message,
    el('div', { class: 'row' }, save));

  function fill() {
    fillGroup(groups.serviceArea, editor.service.serviceArea, STYLES.serviceArea);
    fillGroup(groups.noParkingArea, editor.service.noParkingArea, STYLES.noParkingArea);
    describe();
  }
  fill();
  return {
    section,
    fill,
    drawing: () => map.pm.globalDrawModeEnabled() || map.pm.globalEditModeEnabled(),
    bounds: () => groups.serviceArea.getBounds(),
  };
}
