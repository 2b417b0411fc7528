// Live availability at a station in words ("3 véhicules disponibles, 1 place libre"): shared
// by the trip plan (a leg's ends) and the catalogue (a service's stations). Counts older than
// the server's freshness limit (isRealtime false) are never shown as live: they read
// "disponibilité au 18/10/2025 11:09 : …".
import { shortDateTime } from '../format.js';
import { t } from '../i18n/index.js';

/** What `place` reports: vehicles, free docks, and a suspended rental; fields may be absent. */
export function availabilityText(place) {
  const parts = [];
  if (place.vehiclesAvailable !== null && place.vehiclesAvailable !== undefined) parts.push(t('avail.vehicles', { n: place.vehiclesAvailable }));
  if (place.docksAvailable !== null && place.docksAvailable !== undefined) parts.push(t('avail.docks', { n: place.docksAvailable }));
  // Only the catalogue asks whether a station rents; a plan's leg ends say nothing of it.
  if (place.isRenting === false) parts.push(t('avail.notRenting'));
  const counts = parts.join(', ');
  if (place.isRealtime === false && place.reportedAt) {
    return t('avail.asOf', { date: shortDateTime(place.reportedAt), counts });
  }
  return counts;
}
