// What an import did: rows written per feed, and the rows skipped with their reasons.
import { el } from '../../dom.js';
import { t } from '../../i18n/index.js';

function headings(keys) {
  return el('thead', {}, el('tr', {}, keys.map((key) => el('th', { scope: 'col' }, t(`partner.importCol.${key}`)))));
}

export function importReport(result) {
  return el('div', { class: 'import-report' },
    el('h3', { id: 'import-report-title' }, t('partner.importReport')),
    el('div', { class: 'table-wrap' }, el('table', { class: 'import-counts' },
      el('caption', {}, t('partner.importCounts')),
      headings(['feed', 'created', 'updated']),
      el('tbody', {}, result.counts.map((count) => el('tr', {},
        el('th', { scope: 'row' }, count.feed), el('td', {}, String(count.created)), el('td', {}, String(count.updated))))))),
    el('p', { class: result.skippedCount ? 'warning' : 'success' }, t('partner.skippedCount', { n: result.skippedCount })),
    result.skipped.length
      ? el('div', { class: 'table-wrap' }, el('table', { class: 'import-skipped' },
        el('caption', {}, t('partner.skippedRows', { n: result.skipped.length })),
        headings(['feed', 'row', 'reason']),
        el('tbody', {}, result.skipped.map((row) => el('tr', {},
          el('td', {}, row.feed), el('th', { scope: 'row' }, row.id), el('td', {}, row.reason))))))
      : null);
}
