// The selected itinerary in detail: one card per leg with its mode, service or line, times,
// places (and live availability at stations), turn-by-turn steps and intermediate stops.
import { availabilityText } from '../../components/availability.js';
import { modeBadge, modeColour } from '../../components/mode-badge.js';
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

export function placeName(place) {
  return place.name || `${place.lat.toFixed(5)}, ${place.lon.toFixed(5)}`;
}

/** A leg's price beside its facts: unknown said outright, nothing for free walks and rides. */
function legPrice(leg) {
  if (leg.priceMinor === null || leg.priceMinor === undefined) return ` · ${t('plan.priceUnknown')}`;
  return leg.priceMinor ? ` · ${fmt.price(leg.priceMinor, leg.currency)}` : '';
}

/** A step in the reader's language from its maneuver and street; the server's English text
 * only for a maneuver this client does not know yet. */
function stepText(step) {
  const street = step.streetName || t('step.unnamedStreet');
  return t(`step.${step.turn}`, { street }, step.instruction);
}

/** What a GTFS-Realtime update says of a ride: "Live: 3 min late", or nothing without one. */
function liveText(transit) {
  if (!transit?.realtime || transit.departureDelayS == null) return null;
  const minutes = Math.round(Math.abs(transit.departureDelayS) / 60);
  if (minutes === 0) return t('plan.liveOnTime');
  return t(transit.departureDelayS > 0 ? 'plan.liveLate' : 'plan.liveEarly', { n: minutes });
}

function legCard(leg, fromLabel, toLabel) {
  const availability = [availabilityText(leg.from), availabilityText(leg.to)];
  return el('li', { class: 'leg', style: `--mode-colour: ${modeColour(leg.mode)}` },
    el('div', { class: 'leg-head' },
      modeBadge(leg.mode),
      leg.service ? el('a', { href: `#/services/${encodeURIComponent(leg.service.id)}` }, leg.service.name) : null,
      leg.transit ? el('span', {}, `${leg.transit.routeName}${leg.transit.headsign ? ` → ${leg.transit.headsign}` : ''}`) : null,
      el('span', { class: 'leg-facts' }, `${fmt.duration(leg.durationS)} · ${fmt.distance(leg.distanceM)}`,
        legPrice(leg))),
    el('p', { class: 'leg-places' },
      `${fmt.time(leg.start)} ${fromLabel}`,
      availability[0] ? ` (${availability[0]})` : '',
      ' → ',
      `${fmt.time(leg.end)} ${toLabel}`,
      availability[1] ? ` (${availability[1]})` : ''),
    liveText(leg.transit) ? el('p', { class: 'leg-live' }, liveText(leg.transit)) : null,
    ...(leg.transit?.alerts ?? []).map((alert) => el('p', { class: 'leg-alert', role: 'note' },
      t('plan.alert', { text: alert.headerText }),
      alert.descriptionText ? el('span', { class: 'hint' }, ` ${alert.descriptionText}`) : null)),
    leg.steps.length
      ? el('details', { class: 'steps' },
        el('summary', {}, t('plan.steps', { n: leg.steps.length })),
        el('ol', {}, leg.steps.map((step) => el('li', {}, stepText(step), ' ', el('span', { class: 'hint' }, fmt.distance(step.distanceM))))))
      : null,
    leg.transit?.intermediateStops?.length
      ? el('details', { class: 'steps' },
        el('summary', {}, t('plan.stops', { n: leg.transit.intermediateStops.length })),
        el('ol', { class: 'stop-list' }, leg.transit.intermediateStops.map((stop) => el('li', {},
          el('span', { class: 'stop-dot', 'aria-hidden': 'true' }), ' ', `${fmt.time(stop.time)} ${stop.name}`))))
      : null);
}

/**
 * The card of itinerary number `position` (1-based). Unnamed ends of the trip read as what
 * the commuter typed or picked: `originLabel` and `destinationLabel`.
 */
export function itineraryCard(itinerary, { position, originLabel, destinationLabel }) {
  const last = itinerary.legs.length - 1;
  const label = (place, fallback) => (place.name ? placeName(place) : fallback || placeName(place));
  const legs = el('ol', { class: 'legs' }, itinerary.legs.map((leg, index) => legCard(leg,
    label(leg.from, index === 0 ? originLabel : null),
    label(leg.to, index === last ? destinationLabel : null))));
  return el('section', { class: 'itinerary-details', 'aria-labelledby': 'details-title' },
    el('h2', { id: 'details-title' }, t('plan.details', { n: position })), legs);
}
