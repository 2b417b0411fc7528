// The answer to a plan, above the selected itinerary: what went wrong (per option, in words),
// the server's warnings, and the itineraries as buttons, one of them pressed.
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { locale, t } from '../../i18n/index.js';
import { modeBadge } from '../../components/mode-badge.js';

/** One line per routing error, in words; the kinds nobody publishes share one line. */
function errorItems(errors) {
  const unpublished = errors.filter((error) => error.code === 'NO_SERVICE_PUBLISHED');
  const items = errors.filter((error) => error.code !== 'NO_SERVICE_PUBLISHED').map((error) => el('li', { dataset: { code: error.code } },
    el('span', { class: 'error-headline' }, t(`routingError.${error.code}`, {}, error.code)), ' ',
    el('span', { class: 'error-detail' }, error.description)));
  if (unpublished.length) {
    const kinds = unpublished.map((error) => t(`kind.${error.mode}`, {}, error.mode));
    const modes = new Intl.ListFormat(locale(), { type: 'conjunction' }).format(kinds);
    items.push(el('li', { dataset: { code: 'NO_SERVICE_PUBLISHED' } },
      el('span', { class: 'error-headline' }, t('routingError.NO_SERVICE_PUBLISHED', { modes }))));
  }
  return items;
}

/** Routing errors and warnings of `result`; `found` tells whether itineraries came too. */
export function planProblems(result, found) {
  const children = [];
  if (result.routingErrors.length) {
    children.push(el('div', { class: 'error', role: 'alert' },
      el('strong', {}, found ? t('plan.partialErrors') : t('plan.noItinerary')),
      el('ul', {}, errorItems(result.routingErrors))));
  }
  if (result.warnings.length) {
    children.push(el('div', { class: 'warning' }, el('strong', {}, t('plan.warningsHeading')),
      el('ul', {}, result.warnings.map((warning) => el('li', { dataset: { code: warning.code } },
      t(`planWarning.${warning.code}`, {}, warning.description))))));
  }
  if (!found && !result.routingErrors.length) {
    children.push(el('div', { class: 'error', role: 'alert' }, t('plan.noItinerary')));
  }
  return children;
}

function itineraryButton(itinerary, pressed, onSelect) {
  const modes = [...new Set(itinerary.legs.map((leg) => leg.mode))];
  return el('button', {
    type: 'button',
    class: 'itinerary',
    'aria-pressed': String(pressed),
    onclick: onSelect,
  },
  el('span', { class: 'itinerary-main' },
    el('span', { class: 'itinerary-duration' }, fmt.duration(itinerary.durationS)),
    el('span', { class: 'itinerary-times' }, `${fmt.time(itinerary.start)} – ${fmt.time(itinerary.end)}`)),
  el('span', { class: 'itinerary-modes' }, modes.map(modeBadge)),
  el('span', { class: 'itinerary-facts' },
    el('span', { class: 'fact-price' }, fmt.price(itinerary.priceMinor, itinerary.currency)),
    el('span', { class: 'fact-co2' }, fmt.co2(itinerary.co2Grams)),
    el('span', { class: 'fact-walk' }, t('plan.walking', { d: fmt.distance(itinerary.walkDistanceM) })),
    itinerary.transfers ? el('span', {}, t('plan.transfers', { n: itinerary.transfers })) : null));
}

/** The counted heading and the list; `onSelect(index)` when another itinerary is chosen. */
export function itineraryList(itineraries, selected, onSelect) {
  const list = el('ol', { class: 'itineraries', 'aria-labelledby': 'itineraries-title' });
  itineraries.forEach((itinerary, index) => {
    const button = itineraryButton(itinerary, index === selected, () => onSelect(index));
    button.dataset.index = String(index);
    list.append(el('li', {}, button));
  });
  return [el('h2', { id: 'itineraries-title' }, t('plan.itineraries', { n: itineraries.length })), list];
}
