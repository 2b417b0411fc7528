// The service's own fields, sent with the version they were read at: a stale version is a
// CONFLICT, explained with a button that reloads the service rather than overwriting.
import { SERVICE_KINDS } from '../../components/service-kinds.js';
import { el, errorBox, field, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { nameIsGiven } from './service-name.js';
import { confirmSaved, updateService } from './service-update.js';

/** The form over `editor` ({id, service, reload}); `fill()` reads the service into it again. */
export function editForm(editor) {
  const kind = el('select', { name: 'editKind' }, SERVICE_KINDS.map((value) => el('option', { value }, t(`kind.${value}`))));
  const name = el('input', { type: 'text', name: 'editName', required: true, maxlength: 200 });
  const description = el('textarea', { name: 'editDescription', rows: 3 });
  const website = el('input', { type: 'url', name: 'editWebsite' });
  const bookingUrl = el('input', { type: 'url', name: 'editBookingUrl' });
  const co2 = el('input', { type: 'number', name: 'editCo2', min: 0, step: 0.1, inputmode: 'decimal' });
  const wheelchair = el('input', { type: 'checkbox', name: 'editWheelchair' });
  const readVersion = el('p', { class: 'hint' });
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'edit-title' },
    el('h2', { id: 'edit-title' }, t('partner.edit')), readVersion,
    field(t('partner.kind'), kind), field(t('partner.name'), name), field(t('partner.description'), description),
    field(t('partner.website'), website), field(t('partner.bookingUrl'), bookingUrl), field(t('partner.co2'), co2),
    el('label', { class: 'check' }, wheelchair, ' ', t('partner.wheelchair')),
    message, el('button', { type: 'submit', class: 'primary' }, t('partner.saveEdit')));
  // The version the form's values were read at: what updateService is told to expect.
  let version = editor.service.version;
  function fill() {
    const { service } = editor;
    version = service.version;
    kind.value = service.kind;
    name.value = service.name;
    description.value = service.description ?? '';
    website.value = service.website ?? '';
    bookingUrl.value = service.bookingUrl ?? '';
    co2.value = service.co2GPerKm ?? '';
    wheelchair.checked = Boolean(service.wheelchairAccessible);
    name.removeAttribute('aria-invalid');
    readVersion.textContent = t('partner.editVersion', { n: version });
  }

  function conflict(current) {
    const reloadButton = el('button', { type: 'button', class: 'secondary', onclick: async () => {
      reloadButton.disabled = true;
      try {
        await editor.reload();
        document.querySelector('main h1').textContent = editor.service.name;
        message.replaceChildren(el('p', { class: 'success' }, t('partner.reloaded', { n: editor.service.version })));
        name.focus();
      } catch (reloadError) {
        message.replaceChildren(errorBox(reloadError));
      }
    } }, t('partner.reload'));
    message.replaceChildren(el('div', { class: 'error conflict', role: 'alert' },
      el('strong', {}, t('partner.conflictTitle')), ' ',
      t('partner.conflict', { mine: version, current: current ?? '?' }),
      el('div', { class: 'row' }, reloadButton)));
    reloadButton.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!nameIsGiven(name, message)) return;
    const input = {
      kind: kind.value, name: name.value.trim(), description: description.value,
      website: website.value.trim() || null, bookingUrl: bookingUrl.value.trim() || null,
      co2GPerKm: co2.value === '' ? null : Number(co2.value), wheelchairAccessible: wheelchair.checked,
    };
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await updateService(editor, input, version);
      document.querySelector('main h1').textContent = editor.service.name;
      confirmSaved(message, t('partner.edited', { n: editor.service.version }));
    } catch (error) {
      if (error.code === 'CONFLICT') conflict(error.errors?.[0]?.extensions?.currentVersion);
      else message.replaceChildren(errorBox(error));
    }
  });
  fill();
  return { form, fill };
}
