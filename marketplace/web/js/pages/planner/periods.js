// The periods a traffic run covers, and a select of them in the reader's language.
import { el } from '../../dom.js';
import { t } from '../../i18n/index.js';

export const PERIODS = ['morning_peak', 'evening_peak', 'off_peak'];

export function periodSelect(name, selected) {
  return el('select', { name }, PERIODS.map((p) => el('option', { value: p, selected: p === selected }, t(`period.${p}`))));
}
