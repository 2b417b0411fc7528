// The catalogue: the filter form, then the services that match as cards (kind, operator,
// stations, entry price, accessibility), counted.
import { gql } from '../../api.js';
import { kindBadge } from '../../components/service-kinds.js';
import { el, errorBox, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { filterForm, nearFromParams } from './filter-form.js';

const CATALOGUE_QUERY = `query Catalogue($filter: ServiceFilterInput) {
  services(filter: $filter, first: 100) {
    totalCount
    nodes { id kind name description wheelchairAccessible operator { name }
            stations { id } pricingPlans { currency unlockFeeMinor perMinuteMinor } }
  }
}`;

function serviceCard(service) {
  return el('li', { class: 'card' },
    el('h2', {}, el('a', { href: `#/services/${encodeURIComponent(service.id)}` }, service.name)),
    el('p', {}, kindBadge(service.kind), ' ', el('span', { class: 'operator' }, service.operator.name)),
    service.description ? el('p', { class: 'description' }, service.description) : null,
    el('p', { class: 'facts' },
      t('services.stations', { n: service.stations.length }),
      service.pricingPlans[0] ? ` · ${t('services.from', { price: fmt.price(service.pricingPlans[0].unlockFeeMinor, service.pricingPlans[0].currency) })}` : '',
      service.wheelchairAccessible ? ` · ${t('services.wheelchair')}` : ''));
}

export async function renderCatalogue(main, params, capabilities) {
  const results = el('div', { class: 'catalogue', 'aria-live': 'polite' });
  const form = filterForm(params, {
    searchable: capabilities.query.has('placeSearch'),
    onNoPosition: (message) => results.prepend(message),
  });
  main.replaceChildren(el('div', { class: 'page' }, el('h1', {}, t('services.title')), el('p', {}, t('services.intro')), form, results));

  results.replaceChildren(statusLine(t('loading')));
  const filter = {};
  const near = nearFromParams(params);
  if (params.get('kind')) filter.kinds = [params.get('kind')];
  if (params.get('q')) filter.text = params.get('q');
  if (near) filter.near = { lat: near.lat, lon: near.lon, radiusM: Number(params.get('radius') || 500) };
  try {
    const data = await gql(CATALOGUE_QUERY, { filter });
    const services = data.services.nodes;
    if (!services.length) {
      results.replaceChildren(el('p', { class: 'empty' }, t('services.none')));
      return {};
    }
    results.replaceChildren(
      el('p', { class: 'count' }, t('services.count', { n: data.services.totalCount })),
      el('ul', { class: 'cards' }, services.map(serviceCard)));
  } catch (error) {
    results.replaceChildren(errorBox(error));
  }
  return {};
}
