// Live availability at a station in words ("3 véhicules disponibles, 1 place libre"): shared
// by the trip plan (a leg's ends) and the catalogue (a service's stations).
import { t } from '../i18n/index.js';

/** What `place` reports: vehicles, free docks, and a suspended rental; fields may be absent. */
export function availabilityText(place) {
  const parts = [];
  if (place.vehiclesAvailable !== null && place.vehiclesAvailable !== undefined) parts.push(t('avail.vehicles', { n: place.vehiclesAvailable }));
  if (place.docksAvailable !== null && place.docksAvailable !== undefined) parts.push(t('avail.docks', { n: place.docksAvailable }));
  // Only the catalogue asks whether a station rents; a plan's leg ends say nothing of it.
  if (place.isRenting === false) parts.push(t('avail.notRenting'));
  return parts.join(', ');
}
