// A service's facts beside its map: status, accessibility, CO₂, links; its prices in words;
// its opening hours by day.
import { el } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

export function serviceDetails(service) {
  return el('dl', { class: 'facts-list' },
    el('dt', {}, t('services.status')), el('dd', {}, t(`status.${service.status}`)),
    el('dt', {}, t('services.wheelchairLabel')), el('dd', {}, service.wheelchairAccessible ? t('yes') : t('no')),
    service.co2GPerKm !== null ? [el('dt', {}, 'CO₂'), el('dd', {}, `${fmt.number(service.co2GPerKm)} g/km`)] : null,
    service.website ? [el('dt', {}, t('services.website')), el('dd', {}, el('a', { href: service.website, rel: 'noopener' }, service.website))] : null,
    service.bookingUrl ? [el('dt', {}, t('services.booking')), el('dd', {}, el('a', { href: service.bookingUrl, rel: 'noopener' }, service.bookingUrl))] : null);
}

export function servicePrices(service) {
  if (!service.pricingPlans.length) return el('section', {}, el('h2', {}, t('services.prices')), el('p', {}, t('services.noPrices')));
  return el('section', {}, el('h2', {}, t('services.prices')),
    el('ul', { class: 'plain' }, service.pricingPlans.map((plan) => el('li', { class: 'price-plan' },
      el('strong', {}, plan.name), ': ',
      [
        plan.unlockFeeMinor ? t('price.unlock', { p: fmt.price(plan.unlockFeeMinor, plan.currency) }) : null,
        plan.perMinuteMinor ? t('price.perMinute', { p: fmt.price(plan.perMinuteMinor, plan.currency) }) : null,
        plan.perKmMinor ? t('price.perKm', { p: fmt.price(plan.perKmMinor, plan.currency) }) : null,
        plan.perHourMinor ? t('price.perHour', { p: fmt.price(plan.perHourMinor, plan.currency) }) : null,
        plan.dailyCapMinor ? t('price.cap', { p: fmt.price(plan.dailyCapMinor, plan.currency) }) : null,
      ].filter(Boolean).join(', ') || t('fmt.free')))));
}

export function serviceHours(service) {
  if (!service.openingHours) return el('p', {}, t('services.alwaysOpen'));
  return el('section', {}, el('h2', {}, t('services.hours')),
    el('ul', { class: 'plain' }, service.openingHours.map((period) => el('li', {}, `${t(`day.${period.day}`)} ${period.opens}–${period.closes}`))));
}
