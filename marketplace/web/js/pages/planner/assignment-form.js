// The assignment of a period, run by a planner: demand sources, target gap, iterations; its
// job's progress while a worker runs it (./job.js: share done, stage, cancel), the outcome
// (gap, iterations, convergence, hotspots) and then the dashboard refreshed. The Issy default
// demand (built from the open data) is preselected: it works on an empty database, where an
// imported OD matrix or planned trips may not exist yet.
import { gql } from '../../api.js';
import { announce, el, errorBox, field } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { followJob } from './job.js';
import { periodSelect } from './periods.js';

const DEMAND_SOURCES = ['IMPORTED', 'ISSY_DEFAULT', 'PLANNED_TRIPS'];

/** Run the assignment of a period (planners): its gap, iterations and convergence, then a refresh. */
export function assignmentForm(period, who, onRun) {
  const periodChoice = periodSelect('assignmentPeriod', period);
  const sources = DEMAND_SOURCES.map((source) => el('input', { type: 'checkbox', name: 'demandSources', value: source, checked: source === 'ISSY_DEFAULT' }));
  const sourcesError = el('div', { class: 'form-error', role: 'alert', id: 'assignment-sources-error' });
  const gap = el('input', { type: 'number', name: 'relativeGap', min: 0, max: 1, step: 'any', value: '0.0001', inputmode: 'decimal' });
  const iterations = el('input', { type: 'number', name: 'maxIterations', min: 1, max: 10000, step: 1, value: '500', inputmode: 'numeric' });
  const minVc = el('input', { type: 'number', name: 'assignmentMinVc', min: 0, max: 5, step: 0.1, value: '0.9', inputmode: 'decimal' });
  const submit = el('button', { type: 'submit', class: 'primary' }, t('planner.runAssignment'));
  const result = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'assignment-title' },
    el('h2', { id: 'assignment-title' }, t('planner.assignmentTitle')),
    el('p', { class: 'hint' }, t('planner.assignmentHint')),
    field(t('planner.period'), periodChoice),
    el('fieldset', { 'aria-describedby': 'assignment-sources-error' }, el('legend', {}, t('planner.demandSources')),
      el('div', { class: 'checks' }, sources.map((box) => el('label', { class: 'check' }, box, ' ', t(`demandSource.${box.value}`))))),
    sourcesError,
    el('div', { class: 'row' }, field(t('planner.relativeGap'), gap), field(t('planner.maxIterations'), iterations), field(t('planner.hotspotThreshold'), minVc)),
    submit, result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    sourcesError.replaceChildren();
    const chosen = sources.filter((box) => box.checked).map((box) => box.value);
    if (!chosen.length) {
      sourcesError.textContent = t('planner.noSources');
      sources[0].focus();
      return;
    }
    const ranPeriod = periodChoice.value;
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    try {
      const data = await gql(`mutation Assign($period: String!, $sources: [DemandSource!], $gap: Float!, $iterations: Int!, $minVc: Float!) {
        runAssignment(period: $period, demandSources: $sources, relativeGap: $gap, maxIterations: $iterations, minVolumeCapacity: $minVc) {
          id status } }`, {
        period: ranPeriod, sources: chosen, gap: Number(gap.value) || 0.0001,
        iterations: Math.max(1, Math.round(Number(iterations.value) || 500)), minVc: Number(minVc.value) || 0,
      }, { auth: who.auth });
      const job = await followJob(data.runAssignment.id, who, result, {
        label: t('planner.assigning'),
        fields: 'run { id status converged relativeGap targetGap iterations maxIterations hotspotCount totalDelayVehH elapsedS }',
      });
      const run = job.run;
      const facts = {
        gap: fmt.number(run.relativeGap, 6), target: fmt.number(run.targetGap, 6), iterations: run.iterations,
        max: run.maxIterations, n: run.hotspotCount, delay: fmt.number(run.totalDelayVehH, 1), seconds: fmt.number(run.elapsedS, 1),
      };
      result.replaceChildren(el('div', { class: `assignment-result ${run.converged ? 'success-box' : 'warning'}`, dataset: { runId: run.id, converged: String(run.converged) } },
        el('p', {}, el('strong', {}, run.converged ? t('planner.converged') : t('planner.notConvergedLong'))),
        el('ul', { class: 'plain' },
          el('li', {}, t('planner.assignmentGap', facts)),
          el('li', {}, t('planner.assignmentIterations', facts)),
          el('li', {}, t('planner.assignmentHotspots', facts))),
        ranPeriod === period ? null : el('p', {}, el('a', { href: `#/planner?period=${ranPeriod}` }, t('planner.seePeriod', { period: t(`period.${ranPeriod}`) })))));
      announce(run.converged ? t('planner.converged') : t('planner.notConvergedLong'));
      await onRun(ranPeriod);
    } catch (error) {
      result.replaceChildren(errorBox(error));
    } finally {
      form.removeAttribute('aria-busy');
      submit.disabled = false;
    }
  });
  return form;
}
