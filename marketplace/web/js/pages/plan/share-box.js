// The plan's link, to copy: the whole form lives in the URL, so the link plans it again.
import { announce, el, field } from '../../dom.js';
import { t } from '../../i18n/index.js';

export function shareBox() {
  const url = location.href;
  const input = el('input', { type: 'url', readonly: true, value: url, class: 'share-url' });
  const copy = el('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      await navigator.clipboard.writeText(url);
      announce(t('plan.copied'));
      copy.textContent = t('plan.copied');
    } catch {
      // No clipboard (an insecure origin, say): the selected link is ready to copy by hand.
      input.select();
    }
  } }, t('plan.copy'));
  return el('div', { class: 'share' }, field(t('plan.share'), input), copy);
}
