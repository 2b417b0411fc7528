// The trip form: origin and destination (autocomplete; the map fills them too), when, the
// modes and services allowed, and preferences. It reads into the shared state on submit.
import { placeInput } from '../../autocomplete.js';
import { el, field } from '../../dom.js';
import * as fmt from '../../format.js';
import { t } from '../../i18n/index.js';
import { DIRECT_MODES, localDateTime, PLANNABLE_KINDS } from './state.js';

function checkbox(name, value, labelText, checked) {
  const input = el('input', { type: 'checkbox', name, value, checked });
  return el('label', { class: 'check' }, input, ' ', labelText);
}

const defaultLocalTime = () => localDateTime(new Date(Date.now() + 10 * 60 * 1000));

/**
 * "My location" for the origin, only where the browser has geolocation (a secure origin):
 * the position becomes the origin, or the form says why it could not.
 */
function myLocationButton(onLocated, formError) {
  if (!('geolocation' in navigator) || !window.isSecureContext) return null;
  const button = el('button', { type: 'button', class: 'secondary locate' }, t('plan.myLocation'));
  button.addEventListener('click', () => {
    button.disabled = true;
    formError.textContent = '';
    navigator.geolocation.getCurrentPosition(
      (position) => {
        button.disabled = false;
        onLocated({ lat: position.coords.latitude, lon: position.coords.longitude, label: t('plan.myLocationLabel'), kind: 'coordinate' });
      },
      (error) => {
        button.disabled = false;
        formError.textContent = t(error.code === error.PERMISSION_DENIED ? 'plan.locationDenied' : 'plan.locationFailed');
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
  return button;
}

/**
 * The form over `state`. `onPick(which, place)` and `onFocus(which)` tell the page which end
 * the commuter is setting; `onSwap()` follows a swap; `onSubmit()` follows a read of the form;
 * `onLocated(place)` gets the browser's position for the origin.
 * Returns the form, its two place fields (`fieldFor('origin')`), the submit button and the
 * box for the form's own errors.
 */
export function tripForm(state, { searchable, onPick, onFocus, onSwap, onSubmit, onLocated }) {
  const form = el('form', { class: 'plan-form', novalidate: true, 'aria-labelledby': 'plan-form-title' });
  const endpointField = (which) => placeInput({
    label: t(`plan.${which}`), name: which, searchable,
    onPick: (place) => onPick(which, place),
    onFocus: () => onFocus(which),
  });
  const formError = el('div', { class: 'form-error', role: 'alert' });
  const originField = endpointField('origin');
  const destinationField = endpointField('destination');
  if (state.origin) originField.setValue(state.origin.label);
  if (state.destination) destinationField.setValue(state.destination.label);

  const swap = el('button', { type: 'button', class: 'secondary', onclick: () => {
    [state.origin, state.destination] = [state.destination, state.origin];
    originField.setValue(state.origin?.label || '');
    destinationField.setValue(state.destination?.label || '');
    onSwap();
  } }, t('plan.swap'));

  const whenSelect = el('select', { name: 'when' },
    ...['now', 'depart', 'arrive'].map((value) => el('option', { value, selected: state.when === value }, t(`plan.when.${value}`))));
  const atInput = el('input', { type: 'datetime-local', name: 'at', value: state.at || defaultLocalTime() });
  const atField = field(t('plan.at'), atInput);
  atField.hidden = state.when === 'now';
  whenSelect.addEventListener('change', () => { atField.hidden = whenSelect.value === 'now'; });

  const directBoxes = DIRECT_MODES.map((mode) => checkbox('direct', mode, t(`mode.${mode}`), state.direct.includes(mode)));
  const serviceBoxes = PLANNABLE_KINDS.map((kind) => checkbox('services', kind, t(`kind.${kind}`), state.services.includes(kind)));

  const optimizeSelect = el('select', { name: 'optimize' },
    ...['TIME', 'PRICE', 'CO2'].map((value) => el('option', { value, selected: state.optimize === value }, t(`plan.optimize.${value}`))));
  const wheelchair = checkbox('wheelchair', '1', t('plan.wheelchair'), state.wheelchair);
  const maxWalk = el('input', { type: 'number', name: 'maxWalk', min: 0, step: 50, inputmode: 'numeric', value: state.maxWalk });
  const walkSpeed = el('input', { type: 'number', name: 'walkSpeed', min: 1, max: 10, step: 0.1, inputmode: 'decimal', value: state.walkSpeed });
  const bikeSpeed = el('input', { type: 'number', name: 'bikeSpeed', min: 5, max: 40, step: 0.5, inputmode: 'decimal', value: state.bikeSpeed });
  // Residents' ratings of services, where the co-creation API rates them.
  const minRating = el('select', { name: 'minRating' },
    ['', '3', '4', '4.5'].map((value) => el('option', { value, selected: state.minRating === value }, value ? t('plan.minRatingAtLeast', { n: fmt.number(Number(value)) }) : t('plan.minRatingAny'))));

  const submit = el('button', { type: 'submit', class: 'primary' }, t('plan.submit'));

  form.append(
    el('h2', { id: 'plan-form-title', class: 'visually-hidden' }, t('plan.formTitle')),
    originField.element,
    destinationField.element,
    el('p', { class: 'hint' }, t('plan.mapHint')),
    el('div', { class: 'row' }, swap, myLocationButton(onLocated, formError)),
    el('div', { class: 'row' }, field(t('plan.when.label'), whenSelect), atField),
    el('fieldset', {}, el('legend', {}, t('plan.modes')), el('div', { class: 'checks' }, directBoxes)),
    el('fieldset', {}, el('legend', {}, t('plan.services')), el('div', { class: 'checks' }, serviceBoxes)),
    el('details', { class: 'preferences' },
      el('summary', {}, t('plan.preferences')),
      field(t('plan.optimize.label'), optimizeSelect),
      wheelchair,
      field(t('plan.maxWalk'), maxWalk),
      field(t('plan.walkSpeed'), walkSpeed),
      field(t('plan.bikeSpeed'), bikeSpeed),
      field(t('plan.minRating'), minRating)),
    formError,
    el('div', { class: 'row' }, submit),
  );

  function readForm() {
    state.when = whenSelect.value;
    state.at = atInput.value;
    state.direct = [...form.querySelectorAll('input[name="direct"]:checked')].map((box) => box.value);
    state.services = [...form.querySelectorAll('input[name="services"]:checked')].map((box) => box.value);
    state.optimize = optimizeSelect.value;
    state.wheelchair = form.querySelector('input[name="wheelchair"]').checked;
    state.maxWalk = maxWalk.value;
    state.walkSpeed = walkSpeed.value;
    state.bikeSpeed = bikeSpeed.value;
    state.minRating = minRating.value;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    readForm();
    state.selected = 0;
    onSubmit();
  });

  return {
    form,
    submit,
    formError,
    fieldFor: (which) => (which === 'origin' ? originField : destinationField),
  };
}
