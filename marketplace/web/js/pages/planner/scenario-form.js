// A scenario for the period: streets closed or a lane removed, picked by clicking them on the
// map (./street-picker.js), compared with the base case (time spent, hotspots before and
// after, which appeared and which went).
import { gql } from '../../api.js';
import { el, errorBox, field } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { followJob } from './job.js';
import { streetPicker } from './street-picker.js';

export function scenarioForm(period, who, map, onRun) {
  const picker = streetPicker(map);
  const mode = el('select', { name: 'scenarioEdit' },
    el('option', { value: 'closeStreets' }, t('planner.closeStreets')),
    el('option', { value: 'removeLaneStreets' }, t('planner.removeLane')));
  const result = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'scenario-title' },
    el('h2', { id: 'scenario-title' }, t('planner.scenarioTitle')),
    field(t('planner.scenarioEdit'), mode),
    el('fieldset', {}, el('legend', {}, t('planner.streets')), picker.element),
    el('button', { type: 'submit', class: 'primary' }, t('planner.runScenario')), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const names = picker.names();
    if (!names.length) {
      result.replaceChildren(el('p', { class: 'form-error' }, t('planner.noStreetPicked')));
      return;
    }
    try {
      const data = await gql(`mutation Scenario($period: String!, $streets: [String!]) {
        runScenario(period: $period, ${mode.value}: $streets) { id status } }`, { period, streets: names }, { auth: who.auth });
      const job = await followJob(data.runScenario.id, who, result, {
        label: t('planner.computing'),
        fields: `scenario { edits closedSegments baseVehicleHours scenarioVehicleHours vehicleHoursChange baseHotspots scenarioHotspots
          hotspotsAppeared { rank streets } hotspotsDisappeared { rank streets } }`,
      });
      const outcome = job.scenario;
      result.replaceChildren(el('div', { class: 'scenario-result' },
        el('p', {}, t('planner.scenarioOutcome', {
          base: fmt.number(outcome.baseVehicleHours, 1), scenario: fmt.number(outcome.scenarioVehicleHours, 1),
          change: `${outcome.vehicleHoursChange >= 0 ? '+' : ''}${fmt.number(outcome.vehicleHoursChange, 1)}`,
          baseHotspots: outcome.baseHotspots, scenarioHotspots: outcome.scenarioHotspots,
        })),
        outcome.hotspotsAppeared.length ? el('p', {}, t('planner.appeared', { streets: outcome.hotspotsAppeared.map((h) => h.streets.slice(0, 2).join(', ')).join(' ; ') })) : null,
        outcome.hotspotsDisappeared.length ? el('p', {}, t('planner.disappeared', { streets: outcome.hotspotsDisappeared.map((h) => h.streets.slice(0, 2).join(', ')).join(' ; ') })) : null));
      await onRun?.();
    } catch (error) {
      result.replaceChildren(errorBox(error));
    }
  });
  return form;
}
