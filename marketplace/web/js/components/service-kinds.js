// The kinds of mobility service the catalogue knows, and a kind as a badge in the colour its
// legs are drawn in; used by the catalogue, the partner console and the ideas page.
import { el } from '../dom.js';
import { t } from '../i18n/index.js';
import { MODE_COLOURS } from '../map.js';

export const SERVICE_KINDS = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE', 'SHUTTLE', 'ON_DEMAND', 'CARPOOL', 'PARKING', 'EV_CHARGING', 'PUBLIC_TRANSPORT'];

/** The kinds that run docked (stations) or free-floating (a zone, no stations). */
export const FREE_FLOATING_KINDS = ['BIKE_SHARE', 'SCOOTER_SHARE', 'CAR_SHARE'];

const KIND_COLOUR = {
  BIKE_SHARE: MODE_COLOURS.BIKE_SHARE,
  SCOOTER_SHARE: MODE_COLOURS.SCOOTER_SHARE,
  CAR_SHARE: MODE_COLOURS.CAR_SHARE,
  SHUTTLE: MODE_COLOURS.SHUTTLE,
  ON_DEMAND: MODE_COLOURS.ON_DEMAND,
  PUBLIC_TRANSPORT: MODE_COLOURS.TRANSIT,
  PARKING: MODE_COLOURS.PARKING,
};

/** The colour a kind's stations and zones are drawn in. */
export function kindColour(kind) {
  return KIND_COLOUR[kind] || '#334155';
}

export function kindBadge(kind) {
  return el('span', { class: 'mode-badge', style: `--mode-colour: ${kindColour(kind)}` }, t(`kind.${kind}`));
}
