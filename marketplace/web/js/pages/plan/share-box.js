// The plan's link, to copy: the whole form lives in the URL, so the link plans it again,
// at the time it was searched for.
import { announce, el, field } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { shareableUrl } from './state.js';

export function shareBox(state) {
  const url = shareableUrl(state);
  const input = el('input', { type: 'url', readonly: true, value: url, class: 'share-url' });
  const at = state.when === 'now' ? state.searchedAt : state.at;
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
  const hint = at ? t(state.when === 'arrive' ? 'plan.shareArrive' : 'plan.shareDepart', { time: fmt.dateTime(at) }) : null;
  return el('div', { class: 'share' }, field(t('plan.share'), input, hint), copy);
}
