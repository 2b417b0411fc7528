// Live availability of one of the service's stations, sent by hand (feeds send it in bulk).
import { gql } from '../../api.js';
import { el, errorBox, field, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { confirmSaved } from './service-update.js';

/**
 * The form over `editor` ({id, service, reload}): one option per station of the service.
 * `refresh()` lists the stations again after a reload, keeping the choice and the message.
 */
export function availabilityForm(editor) {
  const station = el('select', { name: 'availabilityStation' });
  const vehicles = el('input', { type: 'number', name: 'vehiclesAvailable', min: 0, step: 1, inputmode: 'numeric' });
  const docks = el('input', { type: 'number', name: 'docksAvailable', min: 0, step: 1, inputmode: 'numeric' });
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'avail-title' },
    el('h2', { id: 'avail-title' }, t('partner.availability')),
    field(t('partner.station'), station),
    el('div', { class: 'row' }, field(t('partner.vehicles'), vehicles), field(t('partner.docks'), docks)),
    message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveAvailability')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const row = { stationExternalId: station.value };
    if (vehicles.value !== '') row.vehiclesAvailable = Number(vehicles.value);
    if (docks.value !== '') row.docksAvailable = Number(docks.value);
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await gql('mutation Avail($id: ID!, $rows: [AvailabilityInput!]!) { updateAvailability(serviceId: $id, availability: $rows) { created updated } }', { id: editor.id, rows: [row] }, { auth: true });
      await editor.reload();
      const name = editor.service.stations.find((s) => s.externalId === row.stationExternalId)?.name ?? row.stationExternalId;
      confirmSaved(message, t('partner.availabilitySavedAt', { station: name }));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  function refresh() {
    const chosen = station.value;
    station.replaceChildren(...editor.service.stations.map((s) => el('option', { value: s.externalId, selected: s.externalId === chosen }, s.name)));
    form.hidden = !editor.service.stations.length;
  }
  refresh();
  return { form, refresh };
}
