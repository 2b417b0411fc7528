// The console's home: the partner's services with their status (all statuses, drafts too),
// the form for a new one, and the API keys.
import { gql } from '../../api.js';
import { kindBadge } from '../../components/service-kinds.js';
import { el, errorBox, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { apiKeys } from './api-keys.js';
import { createForm } from './create-form.js';

const ALL_STATUSES = ['DRAFT', 'PUBLISHED', 'SUSPENDED', 'RETIRED'];

async function ownServices(me) {
  const data = await gql(`query Own($filter: ServiceFilterInput) {
    services(filter: $filter, first: 100) {
      nodes { id kind name status version operator { id } stations { id } }
    }
  }`, { filter: { status: ALL_STATUSES } }, { auth: true });
  return data.services.nodes.filter((service) => service.operator.id === me.id);
}

function servicesTable(services) {
  return el('div', { class: 'table-wrap' }, el('table', { class: 'own-services' },
    el('thead', {}, el('tr', {}, ['name', 'kind', 'status', 'stations', 'actions'].map((key) => el('th', { scope: 'col' }, t(`partner.col.${key}`))))),
    el('tbody', {}, services.map((service) => el('tr', { dataset: { id: service.id } },
      el('th', { scope: 'row' }, el('a', { href: `#/partner/${encodeURIComponent(service.id)}` }, service.name)),
      el('td', {}, kindBadge(service.kind)),
      el('td', {}, el('span', { class: `status-badge status-${service.status}` }, t(`status.${service.status}`))),
      el('td', {}, String(service.stations.length)),
      el('td', {}, el('a', { href: `#/partner/${encodeURIComponent(service.id)}`, 'aria-label': t('partner.manageNamed', { name: service.name }) }, t('partner.manage'))))))));
}

export async function renderList(main, me, header) {
  const listRegion = el('section', { 'aria-labelledby': 'own-title' }, el('h2', { id: 'own-title' }, t('partner.services')), statusLine(t('loading')));
  const keysRegion = el('section', { 'aria-labelledby': 'keys-title' });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('partner.title')), header, listRegion, createForm(), keysRegion));
  apiKeys(keysRegion);
  try {
    const services = await ownServices(me);
    listRegion.replaceChildren(el('h2', { id: 'own-title' }, t('partner.services')),
      services.length ? servicesTable(services) : el('p', {}, t('partner.noServices')));
  } catch (error) {
    listRegion.replaceChildren(el('h2', { id: 'own-title' }, t('partner.services')), errorBox(error));
  }
  return {};
}
