// The catalogue (filters: kind, text, around a place) at #/services and a service's page at
// #/services/<id>: stations on the map with live availability, prices, opening hours, and
// reviews/suggestions when the server offers them.
import { renderCatalogue } from './services/catalogue.js';
import { renderService } from './services/service-page.js';

export async function render(main, { rest, params, capabilities }) {
  if (rest.length) return renderService(main, rest[0], capabilities);
  return renderCatalogue(main, params, capabilities);
}
