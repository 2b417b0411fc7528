// Add or update a station of the service being edited (matched on the partner's own id); the
// editor's map fills latitude and longitude on a click.
import { gql } from '../../api.js';
import { el, errorBox, field, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';

/** The form over `editor` ({id, service, reload}); `lat` and `lon` for the map to fill. */
export function stationForm(editor) {
  const externalId = el('input', { type: 'text', name: 'externalId', required: true });
  const name = el('input', { type: 'text', name: 'stationName', required: true });
  const lat = el('input', { type: 'number', name: 'lat', step: 'any', required: true, inputmode: 'decimal' });
  const lon = el('input', { type: 'number', name: 'lon', step: 'any', required: true, inputmode: 'decimal' });
  const capacity = el('input', { type: 'number', name: 'capacity', min: 0, step: 1, inputmode: 'numeric' });
  const kind = el('select', { name: 'stationKind' }, ['STATION', 'STOP', 'PARKING_SITE'].map((value) => el('option', { value }, t(`stationKind.${value}`))));
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'add-station-title' },
    el('h2', { id: 'add-station-title' }, t('partner.addStation')),
    field(t('partner.externalId'), externalId), field(t('partner.stationName'), name),
    el('div', { class: 'row' }, field(t('partner.lat'), lat), field(t('partner.lon'), lon)),
    el('div', { class: 'row' }, field(t('partner.capacity'), capacity), field(t('partner.stationKind'), kind)),
    message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveStation')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const missing = [externalId, name, lat, lon].filter((input) => input.value.trim() === '');
    missing.forEach((input) => input.setAttribute('aria-invalid', 'true'));
    if (missing.length) {
      message.replaceChildren(el('p', { class: 'form-error' }, t('partner.stationMissing')));
      missing[0].focus();
      return;
    }
    const station = { externalId: externalId.value.trim(), name: name.value.trim(), lat: Number(lat.value), lon: Number(lon.value), kind: kind.value };
    if (capacity.value !== '') station.capacity = Number(capacity.value);
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await gql('mutation Stations($id: ID!, $stations: [StationInput!]!) { upsertStations(serviceId: $id, stations: $stations) { created updated } }', { id: editor.id, stations: [station] }, { auth: true });
      form.reset();
      [externalId, name, lat, lon].forEach((input) => input.removeAttribute('aria-invalid'));
      message.replaceChildren(el('p', { class: 'success' }, t('partner.stationSaved')));
      await editor.reload();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return { form, lat, lon };
}
