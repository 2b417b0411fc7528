// The catalogue's filters: kind, text, around a place (or the reader's position) within a
// radius. Submitting writes them in the hash, which renders the filtered catalogue.
import { placeInput } from '../../autocomplete.js';
import { SERVICE_KINDS } from '../../components/service-kinds.js';
import { el, field } from '../../dom.js';
import { t } from '../../i18n/index.js';

const RADII_M = [300, 500, 1000, 2000];

/** The place the catalogue is filtered around, from the hash, or null. */
export function nearFromParams(params) {
  if (!params.get('near')) return null;
  const [lat, lon] = params.get('near').split(',').map(Number);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
  return { lat, lon, label: params.get('nearLabel') || `${lat}, ${lon}` };
}

/** The filter form; `onNoPosition(message)` when the browser cannot give the reader's position. */
export function filterForm(params, { searchable, onNoPosition }) {
  let near = nearFromParams(params);
  const nearField = placeInput({
    label: t('services.near'), name: 'near', searchable,
    onPick: (place) => { near = place; },
  });
  if (near) nearField.setValue(near.label);
  nearField.input.addEventListener('input', () => {
    if (!nearField.input.value.trim()) near = null;
  });
  const radius = el('select', { name: 'radius' }, RADII_M.map((r) => el('option', { value: r, selected: String(r) === (params.get('radius') || '500') }, `${r < 1000 ? r : r / 1000} ${r < 1000 ? 'm' : 'km'}`)));
  const aroundMe = 'geolocation' in navigator ? el('button', { type: 'button', class: 'secondary', onclick: () => {
    navigator.geolocation.getCurrentPosition((position) => {
      near = { lat: position.coords.latitude, lon: position.coords.longitude, label: t('services.myPosition') };
      nearField.setValue(near.label);
    }, () => {
      nearField.setValue('');
      near = null;
      onNoPosition(el('p', { class: 'form-error', role: 'alert' }, t('services.noPosition')));
    });
  } }, t('services.aroundMe')) : null;
  const kindSelect = el('select', { name: 'kind' },
    el('option', { value: '' }, t('services.allKinds')),
    ...SERVICE_KINDS.map((kind) => el('option', { value: kind, selected: params.get('kind') === kind }, t(`kind.${kind}`))));
  const textInput = el('input', { type: 'search', name: 'q', value: params.get('q') || '' });
  const form = el('form', { class: 'filters', role: 'search', 'aria-label': t('services.filters') },
    field(t('services.kind'), kindSelect),
    field(t('services.text'), textInput),
    nearField.element,
    field(t('services.radius'), radius),
    aroundMe,
    el('button', { type: 'submit', class: 'primary' }, t('services.filter')));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (kindSelect.value) next.set('kind', kindSelect.value);
    if (textInput.value.trim()) next.set('q', textInput.value.trim());
    if (near && nearField.input.value.trim()) {
      next.set('near', `${near.lat.toFixed(6)},${near.lon.toFixed(6)}`);
      next.set('nearLabel', near.label);
      next.set('radius', radius.value);
    }
    location.hash = `#/services${next.toString() ? `?${next}` : ''}`;
  });
  return form;
}
