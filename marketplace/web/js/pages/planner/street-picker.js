// Streets picked on the dashboard's map for a scenario: the drive network's named streets
// (the `streetMap` query, DRIVE mode) drawn as a thin clickable layer; a click picks the
// street under it (or takes it back), highlights it, and lists it as a removable chip.
// Names are what the scenario mutation takes, so no planner types an exact street name.
import { gql } from '../../api.js';
import { el } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { ISSY_BBOX, L } from '../../map.js';

const PICKED_STYLE = { color: '#1d4ed8', weight: 7, opacity: 0.85 };
// Wide and unseen (an SVG stroke catches clicks at any opacity): easy to hit with a finger.
const IDLE_STYLE = { color: '#1d4ed8', weight: 12, opacity: 0 };

/**
 * A picker bound to `map`: `element` (the chips and a status line to put in the form),
 * `names()` (the picked streets) and `clear()`.
 */
export function streetPicker(map) {
  const picked = new Map(); // street name -> true
  // Its own pane above the congestion layers, drawn in SVG: a click on a street picks it
  // whatever the canvas below shows, and a click beside the streets still reaches the map.
  map.createPane('streetPick').style.zIndex = 450;
  const renderer = L.svg({ pane: 'streetPick' });
  const layer = L.featureGroup().addTo(map);
  const chips = el('ul', { class: 'plain chips', 'aria-label': t('planner.pickedStreets') });
  const status = el('p', { class: 'hint', role: 'status' }, t('planner.pickHint'));
  const element = el('div', { class: 'street-picker' }, status, chips);
  const byName = new Map();

  function draw() {
    for (const [name, layers] of byName) {
      for (const line of layers) line.setStyle(picked.has(name) ? PICKED_STYLE : IDLE_STYLE);
    }
    chips.replaceChildren(...[...picked.keys()].sort().map((name) => el('li', {},
      el('span', { class: 'chip' }, name, ' ',
        el('button', { type: 'button', class: 'chip-remove', 'aria-label': t('planner.unpickStreet', { name }), onclick: () => toggle(name) }, '×')))));
    element.dataset.picked = String(picked.size);
  }

  function toggle(name) {
    if (picked.has(name)) picked.delete(name);
    else picked.set(name, true);
    status.textContent = picked.size ? t('planner.streetsPicked', { n: picked.size }) : t('planner.pickHint');
    draw();
  }

  gql('query DriveStreets($bbox: [Float!]) { streetMap(bbox: $bbox, mode: DRIVE) }', { bbox: ISSY_BBOX })
    .then((data) => {
      const geojson = typeof data.streetMap === 'string' ? JSON.parse(data.streetMap) : data.streetMap;
      for (const feature of geojson.features) {
        const name = feature.properties?.name;
        if (!name) continue;
        const line = L.geoJSON(feature, { style: IDLE_STYLE, renderer, pane: 'streetPick' }).bindTooltip(name, { sticky: true });
        line.on('click', (event) => {
          L.DomEvent.stopPropagation(event);
          toggle(name);
        });
        if (!byName.has(name)) byName.set(name, []);
        byName.get(name).push(line);
        line.addTo(layer);
        line.eachLayer((path) => path.getElement()?.setAttribute('data-street', name));
      }
      element.dataset.streets = String(byName.size);
    })
    .catch(() => {
      status.textContent = t('planner.streetsUnavailable');
    });

  return {
    element,
    names: () => [...picked.keys()],
    clear: () => {
      picked.clear();
      status.textContent = t('planner.pickHint');
      draw();
    },
  };
}
