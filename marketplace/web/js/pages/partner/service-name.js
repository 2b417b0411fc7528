// A service needs a name: the create and edit forms both refuse an empty one the same way.
import { el } from '../../dom.js';
import { t } from '../../i18n/index.js';

/** Whether `input` holds a name; if not, it is flagged, focused and `message` says why. */
export function nameIsGiven(input, message) {
  if (input.value.trim()) return true;
  input.setAttribute('aria-invalid', 'true');
  message.replaceChildren(el('p', { class: 'form-error' }, t('partner.nameRequired')));
  input.focus();
  return false;
}
