// Opening hours per weekday: one period a day (or closed), or always open (no hours at all,
// which the API reads as open around the clock). Saved with the version they were read at.
import { el, errorBox, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { confirmSaved, updateService } from './service-update.js';

const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** The form over `editor` ({id, service, reload}); `fill()` reads the service's hours again. */
export function hoursForm(editor) {
  const always = el('input', { type: 'checkbox', name: 'alwaysOpen' });
  const rows = DAYS.map((day) => {
    const open = el('input', { type: 'checkbox', name: `open-${day}`, 'aria-label': t('partner.hours.openOn', { day: t(`day.${day}`) }) });
    const opens = el('input', { type: 'time', name: `opens-${day}`, 'aria-label': t('partner.hours.opensOn', { day: t(`day.${day}`) }) });
    const closes = el('input', { type: 'time', name: `closes-${day}`, 'aria-label': t('partner.hours.closesOn', { day: t(`day.${day}`) }) });
    const sync = () => { opens.disabled = !open.checked; closes.disabled = !open.checked; };
    open.addEventListener('change', sync);
    const row = el('tr', {}, el('th', { scope: 'row' }, t(`day.${day}`)), el('td', {}, open), el('td', {}, opens), el('td', {}, closes));
    return { day, open, opens, closes, sync, row };
  });
  const table = el('table', { class: 'hours-table' },
    el('thead', {}, el('tr', {}, ['day', 'open', 'opens', 'closes'].map((key) => el('th', { scope: 'col' }, t(`partner.hours.col.${key}`))))),
    el('tbody', {}, rows.map((r) => r.row)));
  const syncAlways = () => { table.hidden = always.checked; };
  always.addEventListener('change', syncAlways);
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'hours-title' },
    el('h2', { id: 'hours-title' }, t('partner.hours.title')),
    el('label', { class: 'check' }, always, ' ', t('partner.hours.always')),
    el('div', { class: 'table-wrap' }, table),
    message, el('button', { type: 'submit', class: 'primary' }, t('partner.hours.save')));

  function fill() {
    const periods = editor.service.openingHours;
    always.checked = !periods;
    for (const r of rows) {
      const period = periods?.find((p) => p.day === r.day);
      r.open.checked = Boolean(period) || !periods;
      r.opens.value = period?.opens ?? '07:00';
      r.closes.value = period?.closes === '24:00' ? '23:59' : (period?.closes ?? '22:00');
      r.sync();
    }
    syncAlways();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let openingHours = null;
    if (!always.checked) {
      const open = rows.filter((r) => r.open.checked);
      const wrong = open.find((r) => !r.opens.value || !r.closes.value || r.closes.value <= r.opens.value);
      if (wrong) {
        message.replaceChildren(el('p', { class: 'form-error' }, t('partner.hours.invalid', { day: t(`day.${wrong.day}`) })));
        wrong.closes.focus();
        return;
      }
      // 23:59 in a time field means until the end of the day.
      openingHours = open.map((r) => ({ day: r.day, opens: r.opens.value, closes: r.closes.value === '23:59' ? '24:00' : r.closes.value }));
    }
    message.replaceChildren(statusLine(t('partner.saving')));
    try {
      await updateService(editor, { openingHours });
      confirmSaved(message, t('partner.hours.saved', { n: editor.service.version }));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  fill();
  return { form, fill };
}
