// Partner console: the partner's API key (kept in sessionStorage only), their services with
// status and a form to create one (./partner/service-list.js), and per service an editor for
// stations, prices, availability, feeds and publishing (./partner/editor.js).
import { gql, partnerKey, setPartnerKey } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/index.js';
import { renderEditor } from './partner/editor.js';
import { renderList } from './partner/service-list.js';
import { renderSignIn } from './partner/sign-in.js';

function signOut() {
  setPartnerKey(null);
  location.hash = '#/partner';
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export async function render(main, { rest, params, capabilities }) {
  if (!partnerKey()) return renderSignIn(main);
  let me;
  try {
    me = (await gql('query Me { me { id name kind } }', {}, { auth: true })).me;
  } catch (error) {
    return renderSignIn(main, error);
  }
  if (!me) return renderSignIn(main);
  const header = el('div', { class: 'console-head' },
    el('p', {}, t('partner.signedInAs', { name: me.name })),
    el('button', { type: 'button', class: 'secondary', onclick: signOut }, t('partner.signOut')),
    el('a', { href: '/graphiql.html', target: '_blank', rel: 'noopener' }, t('partner.graphiql')));
  if (rest.length) return renderEditor(main, rest[0], header, capabilities, params.get('operation'));
  return renderList(main, me, header);
}
