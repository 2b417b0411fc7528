// A traffic job followed to its end: runAssignment and runScenario answer at once with a job;
// this shows its progress bar and stage (read from job(id) twice a second), offers to cancel
// it, and resolves with the finished job (its run, or its scenario comparison).
import { ApiError, gql } from '../../api.js';
import { el, statusLine } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';

const POLL_MS = 500;
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Follow job `id` inside `box` until it ends. `fields` selects what the finished job must
 * carry (its run or scenario). Resolves with the job once SUCCEEDED; rejects with an ApiError
 * carrying the job's error when it FAILED, or code CANCELLED when it was cancelled.
 */
export async function followJob(id, who, box, { fields, label }) {
  const bar = el('progress', { max: 1, value: 0, 'aria-label': label });
  const stage = statusLine(label);
  const started = Date.now();
  const elapsed = el('span', {}, t('planner.elapsed', { seconds: 0 }));
  const cancel = el('button', { type: 'button', class: 'secondary' }, t('planner.cancelJob'));
  box.replaceChildren(el('div', { class: 'assignment-progress', dataset: { jobId: id } },
    bar, stage, el('p', { class: 'hint' }, elapsed, ' ', cancel)));
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await gql('mutation Cancel($id: ID!) { cancelJob(id: $id) { id status } }', { id }, { auth: who.auth });
    } catch {
      cancel.disabled = false; // finished meanwhile: the next poll shows how
    }
  });
  for (;;) {
    const data = await gql(`query Job($id: ID!) { job(id: $id) {
      id status progress stage error { code message } ${fields} } }`, { id }, { auth: who.auth });
    const job = data.job;
    elapsed.textContent = t('planner.elapsed', { seconds: Math.round((Date.now() - started) / 1000) });
    if (job.status === 'QUEUED') {
      stage.textContent = t('planner.jobQueued');
    } else {
      bar.value = job.progress;
      stage.textContent = t('planner.jobProgress', { percent: fmt.number(job.progress * 100, 0), stage: job.stage || label });
    }
    if (FINISHED.has(job.status)) {
      if (job.status === 'SUCCEEDED') return job;
      if (job.status === 'CANCELLED') throw new ApiError(t('planner.jobCancelled'), { code: 'CANCELLED' });
      throw new ApiError(job.error?.message ?? t('error.unknown'), { code: job.error?.code ?? null });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
