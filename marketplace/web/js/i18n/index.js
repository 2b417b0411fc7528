// Texts in the reader's language: French by default (residents speak it), English on request;
// the choice is kept locally, and a shared link may carry it (?lang=en). Counts take their
// grammatical form from the browser's Intl.PluralRules, so "1 itinéraire" / "2 itinéraires"
// rather than "itinéraire(s)".
import { en } from './en.js';
import { enPlanner } from './en-planner.js';
import { fr } from './fr.js';
import { frPlanner } from './fr-planner.js';

const STORAGE_KEY = 'issy.language';
const DICTIONARIES = { fr: { ...fr, ...frPlanner }, en: { ...en, ...enPlanner } };
const LOCALES = { fr: 'fr-FR', en: 'en-GB' };
const pluralRules = {};

export function language() {
  // A shared link may say the language (?lang=en): it wins and becomes the kept choice.
  const asked = new URLSearchParams(location.search).get('lang');
  try {
    if (asked === 'en' || asked === 'fr') {
      if (localStorage.getItem(STORAGE_KEY) !== asked) localStorage.setItem(STORAGE_KEY, asked);
      return asked;
    }
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'fr') return stored;
  } catch {
    // Storage may be off; French stays the default.
  }
  return 'fr';
}

/** The BCP 47 locale of the current language, for Intl number, date and plural rules. */
export function locale() {
  return LOCALES[language()];
}

export function setLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang);
  // The reader chose: a ?lang= the link carried must not overrule the choice.
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.delete('lang');
    history.replaceState(history.state, '', url);
  }
  document.documentElement.lang = lang;
}

/**
 * The form of a counted message for `count`: {zero?, one, other}, chosen by the plural rules
 * of `lang`. Neither French nor English has a `zero` category in Intl.PluralRules, so an
 * explicit zero form is written only where the grammar wants other words ("aucun …").
 */
function pluralForm(forms, count, lang) {
  const value = typeof count === 'number' ? count : Number.parseFloat(count);
  if (value === 0 && forms.zero !== undefined) return forms.zero;
  // A missing count ("–") reads best in the general form.
  if (!Number.isFinite(value)) return forms.other;
  pluralRules[lang] ??= new Intl.PluralRules(LOCALES[lang]);
  return forms[pluralRules[lang].select(value)] ?? forms.other;
}

/**
 * The text for `key` in the current language, with {name} placeholders filled from `params`;
 * messages with plural forms are chosen by `params.n`. French fills a text English lacks.
 */
export function t(key, params = {}, fallback) {
  let lang = language();
  let message = DICTIONARIES[lang][key];
  if (message === undefined) {
    lang = 'fr';
    message = DICTIONARIES.fr[key];
  }
  let text;
  if (message === undefined) text = fallback ?? key;
  else if (typeof message === 'string') text = message;
  else text = pluralForm(message, params.n, lang);
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Translate the static shell: elements with data-i18n (text) and data-i18n-attr. */
export function applyStaticTranslations() {
  document.documentElement.lang = language();
  document.querySelectorAll('[data-i18n]').forEach((node) => {
    node.textContent = t(node.dataset.i18n);
  });
  document.querySelectorAll('[data-i18n-attr]').forEach((node) => {
    const [attribute, key] = node.dataset.i18nAttr.split(':');
    node.setAttribute(attribute, t(key));
  });
}
