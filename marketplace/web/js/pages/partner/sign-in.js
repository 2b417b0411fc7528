// The partner console's sign-in: the API key, kept in this tab's sessionStorage only.
import { setPartnerKey } from '../../api.js';
import { el, errorBox, field } from '../../dom.js';
import { t } from '../../i18n/index.js';

export function renderSignIn(main, error) {
  const keyInput = el('input', { type: 'password', name: 'apiKey', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'signin-title' },
    el('h2', { id: 'signin-title' }, t('partner.signInTitle')),
    field(t('partner.apiKey'), keyInput, t('partner.apiKeyHint')),
    error ? errorBox(error) : null,
    el('button', { type: 'submit', class: 'primary' }, t('partner.signIn')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return;
    }
    setPartnerKey(key);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), el('p', {}, t('partner.intro')), form));
  return {};
}
