// The partner's API keys: the table (prefix, dates, revoke) and a form for a new key, whose
// secret is shown once.
import { gql } from '../../api.js';
import { el, errorBox, field, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

function keyRow(key, onRevoke) {
  return el('tr', {},
    el('th', { scope: 'row' }, key.name),
    el('td', {}, el('code', {}, key.prefix)),
    el('td', {}, fmt.dateTime(key.createdAt)),
    el('td', {}, key.lastUsedAt ? fmt.dateTime(key.lastUsedAt) : '–'),
    el('td', {}, key.revokedAt
      ? t('partner.keyRevoked')
      : el('button', { type: 'button', class: 'danger', 'aria-label': t('partner.revokeNamed', { name: key.name }), onclick: onRevoke }, t('partner.revoke'))));
}

/** Fill `region` with the keys and the new-key form; drawn again after each change. */
export async function apiKeys(region) {
  const title = el('h2', { id: 'keys-title' }, t('partner.keys'));
  region.replaceChildren(title, statusLine(t('loading')));
  let keys;
  try {
    keys = (await gql('query Keys { apiKeys { id name prefix createdAt expiresAt revokedAt lastUsedAt } }', {}, { auth: true })).apiKeys;
  } catch (error) {
    region.replaceChildren(title, errorBox(error));
    return;
  }
  const secretBox = el('div', { role: 'status' });
  const name = el('input', { type: 'text', name: 'keyName', required: true, maxlength: 100 });
  const form = el('form', { class: 'row', 'aria-label': t('partner.newKey') },
    field(t('partner.keyName'), name), el('button', { type: 'submit', class: 'primary' }, t('partner.newKey')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const created = (await gql('mutation NewKey($name: String!) { createApiKey(name: $name) { secret apiKey { id } } }',
        { name: name.value.trim() || 'default' }, { auth: true })).createApiKey;
      await apiKeys(region);
      region.append(el('div', { class: 'warning', role: 'alert' },
        el('p', {}, t('partner.secretOnce')),
        field(t('partner.secret'), el('input', { type: 'text', readonly: true, value: created.secret, class: 'secret' }))));
    } catch (error) {
      secretBox.replaceChildren(errorBox(error));
    }
  });
  const revoke = (key) => async () => {
    if (!confirm(t('partner.revokeConfirm'))) return;
    try {
      await gql('mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, { auth: true });
      await apiKeys(region);
    } catch (error) {
      secretBox.replaceChildren(errorBox(error));
    }
  };
  region.replaceChildren(title,
    el('div', { class: 'table-wrap' }, el('table', { class: 'api-keys' },
      el('thead', {}, el('tr', {}, ['keyName', 'prefix', 'created', 'lastUsed', 'state'].map((key) => el('th', { scope: 'col' }, t(`partner.keyCol.${key}`))))),
      el('tbody', {}, keys.map((key) => keyRow(key, revoke(key)))))),
    form, secretBox);
}
