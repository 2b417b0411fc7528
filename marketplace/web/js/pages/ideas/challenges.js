// The city's challenges on #/ideas: what a challenge is (when there is none yet, so the page
// explains itself instead of standing half empty) and, for city staff (admins and planners),
// the form that opens one. The challenge's area is the part of Issy the map shows: staff
// frame it by moving and zooming the map, and a dashed rectangle shows it as it will be sent.
import { gql } from '../../api.js';
import { announce, el, errorBox, field } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { L } from '../../map.js';

/** Whether the signed-in person may open a challenge (the server checks it again). */
export function isCityStaff(session) {
  return Boolean(session) && ['PLANNER', 'ADMIN'].includes(session.viewer.role);
}

/** What challenges are, for a page with none yet. */
export function challengesExplained() {
  return el('div', { class: 'card empty-state' },
    el('p', {}, el('strong', {}, t('ideas.noChallenges'))),
    el('p', {}, t('ideas.challengesExplained')));
}

function areaOf(bounds) {
  const [west, south, east, north] = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
    .map((value) => Number(value.toFixed(5)));
  return { type: 'Polygon', coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]] };
}

/** The date a week from now, as the deadline field's first value (yyyy-mm-dd). */
function inAWeek() {
  const date = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** Open a challenge over the map's view; `onOpened()` draws the list again. */
export function challengeForm(map, onOpened) {
  const title = el('input', { type: 'text', name: 'challengeTitle', required: true, maxlength: 200 });
  const text = el('textarea', { name: 'challengeText', rows: 3, required: true, maxlength: 4000 });
  const deadline = el('input', { type: 'date', name: 'challengeDeadline', required: true, value: inAWeek() });
  const message = el('div', { role: 'status' });
  // The frame follows the view (a margin inside it, so its edges show); drawn once the map
  // is laid out, as bounds before that are not numbers.
  let frame = null;
  const reframe = () => {
    // A map not laid out yet (or already left) has no bounds to frame.
    const size = map.getSize();
    if (!map.getContainer().isConnected || !size.x || !size.y) return;
    const bounds = map.getBounds().pad(-0.05);
    if (frame) frame.setBounds(bounds);
    else frame = L.rectangle(bounds, { color: '#c2410c', weight: 3, dashArray: '2 8', fill: false, interactive: false }).addTo(map);
  };
  map.whenReady(reframe);
  map.on('moveend', reframe);
  const form = el('form', { class: 'narrow challenge-form', 'aria-labelledby': 'new-challenge-title' },
    el('h3', { id: 'new-challenge-title' }, t('challenge.formTitle')),
    el('p', { class: 'hint' }, t('challenge.formHint')),
    field(t('challenge.title'), title), field(t('challenge.text'), text),
    field(t('challenge.deadline'), deadline, t('challenge.deadlineHint')),
    el('p', { class: 'hint' }, t('challenge.areaHint')),
    message, el('button', { type: 'submit', class: 'primary' }, t('challenge.submit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!title.value.trim() || !text.value.trim() || !deadline.value) {
      message.replaceChildren(el('p', { class: 'form-error' }, t('challenge.missing')));
      return;
    }
    // The end of the chosen day, in the reader's time zone, sent with its offset (as UTC).
    const until = new Date(`${deadline.value}T23:59:00`);
    if (!(until > new Date())) {
      message.replaceChildren(el('p', { class: 'form-error' }, t('challenge.pastDeadline')));
      deadline.focus();
      return;
    }
    try {
      await gql('mutation Open($input: ChallengeInput!) { openChallenge(input: $input) { id } }', {
        input: { title: title.value.trim(), text: text.value.trim(), deadline: until.toISOString(), area: areaOf(frame ? frame.getBounds() : map.getBounds()) },
      }, { auth: 'resident' });
      form.reset();
      deadline.value = inAWeek();
      message.replaceChildren(el('p', { class: 'success' }, t('challenge.opened')));
      announce(t('challenge.opened'));
      await onOpened();
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}
