// Feeds into the service being edited: GBFS (pasted or uploaded JSON) and GTFS (a .zip,
// unpacked in the browser, or its .txt files), with the import's report below them.
import { gql } from '../../api.js';
import { announce, el, errorBox, field, statusLine } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { readZip } from '../../zip.js';
import { importReport } from './import-report.js';

const DOCKED_FEEDS = ['station_information', 'station_status'];
// A free-floating service's vehicles: GBFS 3.0 vehicle_status, or 2.x free_bike_status
// pasted in the same box (told apart by its data.bikes list).
const FREE_FLOATING_FEEDS = ['vehicle_status'];

/** GBFS: each feed pasted, or read from an uploaded .json file into its box. */
function gbfsForm(runImport, freeFloating) {
  const GBFS_FEEDS = freeFloating ? FREE_FLOATING_FEEDS : DOCKED_FEEDS;
  const boxes = {};
  const feedFields = GBFS_FEEDS.map((feed) => {
    const text = el('textarea', { name: `gbfs_${feed}`, rows: 4, spellcheck: 'false', class: 'code' });
    const file = el('input', { type: 'file', name: `gbfs_${feed}_file`, accept: '.json,application/json' });
    file.addEventListener('change', async () => {
      if (file.files.length) text.value = await file.files[0].text();
    });
    boxes[feed] = text;
    return el('div', { class: 'import-feed' },
      field(t('partner.gbfsPaste', { feed: `${feed}.json` }), text),
      field(t('partner.gbfsFile', { feed: `${feed}.json` }), file));
  });
  const submit = el('button', { type: 'submit', class: 'primary' }, t('partner.importGbfs'));
  const error = el('div', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'import-form', 'aria-labelledby': 'gbfs-title' },
    el('h3', { id: 'gbfs-title' }, t(freeFloating ? 'partner.gbfsTitleVehicles' : 'partner.gbfsTitle')), el('p', { class: 'hint' }, t('partner.gbfsHint')),
    feedFields, error, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.replaceChildren();
    const feeds = {};
    for (const feed of GBFS_FEEDS) {
      const box = boxes[feed];
      box.removeAttribute('aria-invalid');
      if (!box.value.trim()) continue;
      try {
        const document = JSON.parse(box.value);
        const name = feed === 'vehicle_status' && Array.isArray(document?.data?.bikes) ? 'free_bike_status' : feed;
        feeds[name] = document;
      } catch (parseError) {
        box.setAttribute('aria-invalid', 'true');
        error.textContent = t('partner.badJson', { feed: `${feed}.json`, reason: parseError.message });
        box.focus();
        return;
      }
    }
    if (!Object.keys(feeds).length) {
      const first = boxes[GBFS_FEEDS[0]];
      first.setAttribute('aria-invalid', 'true');
      error.textContent = t(freeFloating ? 'partner.gbfsEmptyVehicles' : 'partner.gbfsEmpty');
      first.focus();
      return;
    }
    await runImport('importGbfs', 'feeds', feeds, submit);
  });
  return form;
}

/** GTFS: a .zip (unpacked here) or the .txt files themselves. */
function gtfsForm(runImport) {
  const input = el('input', { type: 'file', name: 'gtfsFiles', multiple: true, accept: '.zip,.txt,application/zip,text/plain' });
  const submit = el('button', { type: 'submit', class: 'primary' }, t('partner.importGtfs'));
  const error = el('div', { class: 'form-error', role: 'alert' });
  const form = el('form', { class: 'import-form', 'aria-labelledby': 'gtfs-title' },
    el('h3', { id: 'gtfs-title' }, t('partner.gtfsTitle')),
    field(t('partner.gtfsFiles'), input, t('partner.gtfsHint')), error, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.replaceChildren();
    input.removeAttribute('aria-invalid');
    const files = {};
    try {
      for (const file of input.files) {
        if (/\.zip$/i.test(file.name)) {
          for (const [name, text] of Object.entries(await readZip(file))) if (/\.txt$/i.test(name)) files[name] = text;
        } else if (/\.txt$/i.test(file.name)) {
          files[file.name] = await file.text();
        }
      }
    } catch (zipError) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = t('partner.badZip', { reason: zipError.message });
      return;
    }
    if (!Object.keys(files).length) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = t('partner.gtfsEmpty');
      input.focus();
      return;
    }
    await runImport('importGtfs', 'files', files, submit);
  });
  return form;
}

/** Both import forms over `editor` ({id, reload}) and their shared report box; a
 * free-floating service imports its vehicles rather than stations. */
export function importForms(editor, { freeFloating = false } = {}) {
  const report = el('div', { class: 'import-report-box', role: 'status' });
  async function runImport(mutation, argument, value, button) {
    report.replaceChildren(statusLine(t('partner.importing')));
    button.disabled = true;
    try {
      const data = await gql(`mutation Import($id: ID!, $value: JSON!) {
        ${mutation}(serviceId: $id, ${argument}: $value) {
          counts { feed created updated } skippedCount skipped { feed id reason } } }`, { id: editor.id, value }, { auth: true });
      report.replaceChildren(importReport(data[mutation]));
      announce(t('partner.importDone'));
      await editor.reload();
    } catch (error) {
      report.replaceChildren(errorBox(error));
    } finally {
      button.disabled = false;
    }
  }
  return el('section', { class: 'narrow', 'aria-labelledby': 'import-title' },
    el('h2', { id: 'import-title' }, t('partner.import')), el('p', { class: 'hint' }, t('partner.importHint')),
    gbfsForm(runImport, freeFloating), freeFloating ? null : gtfsForm(runImport), report);
}
