// A new service, created as a draft; the console then opens its editor.
import { gql } from '../../api.js';
import { FREE_FLOATING_KINDS, SERVICE_KINDS } from '../../components/service-kinds.js';
import { announce, el, errorBox, field, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { nameIsGiven } from './service-name.js';

export function createForm() {
  const kind = el('select', { name: 'kind' }, SERVICE_KINDS.map((value) => el('option', { value }, t(`kind.${value}`))));
  const name = el('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const description = el('textarea', { name: 'description', rows: 3 });
  const bookingUrl = el('input', { type: 'url', name: 'bookingUrl' });
  const co2 = el('input', { type: 'number', name: 'co2GPerKm', min: 0, step: 0.1, inputmode: 'decimal' });
  const wheelchair = el('input', { type: 'checkbox', name: 'wheelchairAccessible' });
  // Docked or free-floating, asked outright for the kinds that can be either.
  const operation = el('fieldset', { class: 'operation' },
    el('legend', {}, t('partner.operation.label')),
    ['docked', 'free'].map((value) => el('label', { class: 'check' },
      el('input', { type: 'radio', name: 'operation', value, checked: value === 'docked' }), ' ', t(`partner.operation.${value}`))));
  const syncOperation = () => { operation.hidden = !FREE_FLOATING_KINDS.includes(kind.value); };
  kind.addEventListener('change', syncOperation);
  syncOperation();
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'create-title' },
    el('h2', { id: 'create-title' }, t('partner.create')),
    field(t('partner.kind'), kind),
    operation,
    field(t('partner.name'), name),
    field(t('partner.description'), description),
    field(t('partner.bookingUrl'), bookingUrl),
    field(t('partner.co2'), co2),
    el('label', { class: 'check' }, wheelchair, ' ', t('partner.wheelchair')),
    message,
    el('button', { type: 'submit', class: 'primary' }, t('partner.createSubmit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!nameIsGiven(name, message)) return;
    const input = { kind: kind.value, name: name.value.trim(), description: description.value, wheelchairAccessible: wheelchair.checked };
    if (bookingUrl.value.trim()) input.bookingUrl = bookingUrl.value.trim();
    if (co2.value !== '') input.co2GPerKm = Number(co2.value);
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      const data = await gql('mutation Create($input: CreateServiceInput!) { createService(input: $input) { id } }', { input }, { auth: true });
      announce(t('partner.created'));
      const free = !operation.hidden && form.querySelector('input[name="operation"]:checked').value === 'free';
      location.hash = `#/partner/${encodeURIComponent(data.createService.id)}${free ? '?operation=free' : ''}`;
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}
