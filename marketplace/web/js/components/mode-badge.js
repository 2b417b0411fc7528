// A travel mode as a badge in its map colour, with its icon: the same colour on the list, the
// itinerary card and the drawn route, so a leg reads the same everywhere.
import { el } from '../dom.js';
import { t } from '../i18n/index.js';
import { modeIcon } from '../icons.js';
import { MODE_COLOURS } from '../map.js';

const FALLBACK_COLOUR = '#334155';

/** The colour a mode is drawn in (legs, legend, stop marks). */
export function modeColour(mode) {
  return MODE_COLOURS[mode] || FALLBACK_COLOUR;
}

export function modeBadge(mode) {
  return el('span', { class: `mode-badge mode-${mode}`, style: `--mode-colour: ${modeColour(mode)}` }, modeIcon(mode), t(`mode.${mode}`));
}
