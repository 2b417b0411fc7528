// Numbers, money, durations and times in the reader's language (times in Europe/Paris).
import { locale, t } from './i18n/index.js';

const TIME_ZONE = 'Europe/Paris';

export function duration(seconds) {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return t('fmt.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return t('fmt.hoursMinutes', { h: hours, m: String(rest).padStart(2, '0') });
}

export function distance(metres) {
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(metres / 1000)} km`;
}

export function price(minor, currency) {
  if (minor === null || minor === undefined) return t('fmt.priceUnknown');
  if (minor === 0) return t('fmt.free');
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: currency || 'EUR' }).format(minor / 100);
}

export function co2(grams) {
  if (grams >= 1000) {
    return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(grams / 1000)} kg CO₂`;
  }
  return `${Math.round(grams)} g CO₂`;
}

export function time(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE }).format(new Date(iso));
}

export function dateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(new Date(iso));
}

/** Day and minute, digits only ("18/10/2025 11:09"): when a station last reported. */
export function shortDateTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE,
  }).format(new Date(iso)).replace(',', '');
}

export function number(value, digits = 1) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}
