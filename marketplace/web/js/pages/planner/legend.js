// Volume/capacity classes, green to dark red (each darker than the streets' grey): the colour
// of streets, hotspot circles and table swatches, and the legend that explains them.
import { el } from '../../dom.js';
import { t } from '../../i18n/index.js';

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

export function legend() {
  return el('div', { class: 'legend', role: 'group', 'aria-label': t('planner.legend') },
    el('span', { class: 'legend-title' }, t('planner.legend')),
    VC_CLASSES.map((c) => el('span', { class: 'legend-item' }, el('span', { class: 'vc-swatch', style: `--vc: ${c.colour}` }), ' ', t(`planner.vc.${c.key}`))));
}
