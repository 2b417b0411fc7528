// The map's settings: an optional tile server for deployments online. Without one the map
// draws our own street GeoJSON, which works offline.
import { el, field } from '../dom.js';
import { t } from '../i18n/index.js';
import { setTileUrl, tileUrl } from '../map.js';

export function mapSettings() {
  const input = el('input', { type: 'url', name: 'tileUrl', value: tileUrl(), placeholder: 'https://tile.example.org/{z}/{x}/{y}.png' });
  const save = el('button', { type: 'button', class: 'secondary', onclick: () => {
    setTileUrl(input.value.trim());
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } }, t('map.saveTiles'));
  return el('details', { class: 'map-settings' },
    el('summary', {}, t('map.settings')),
    field(t('map.tileUrl'), input, t('map.tileHint')),
    save);
}
