// The run's exports (CSV, GeoJSON, PNG) as download buttons.
import { el, errorBox } from '../../dom.js';
import { language, t } from '../../i18n/index.js';

const EXPORTS = ['hotspots.csv', 'hotspots.geojson', 'segments.csv', 'segments.geojson', 'hotspots.png'];

function exportButton(period, name, who) {
  // The exports need the bearer token, which a plain link cannot carry: fetch, then save.
  return el('button', { type: 'button', class: 'secondary', dataset: { export: name }, onclick: async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      // ?lang: the PNG is titled in the page's language, whatever the browser's own.
      const url = `/traffic/${encodeURIComponent(period)}/${name}?lang=${language()}`;
      const response = await fetch(url, { headers: { Authorization: `Bearer ${who.token}`, 'Accept-Language': language() } });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.error || `HTTP ${response.status}`);
      }
      const blob = await response.blob();
      const link = el('a', { href: URL.createObjectURL(blob), download: `issy_traffic_${period}_${name}` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      button.after(errorBox(error));
    } finally {
      button.disabled = false;
    }
  } }, t('planner.download', { name }));
}

export function exportList(period, who) {
  return el('ul', { class: 'plain export-list' }, EXPORTS.map((name) => el('li', {}, exportButton(period, name, who))));
}
