// An ARIA 1.2 combobox over `placeSearch`, accepting "lat, lon" typed directly too.
import { gql } from './api.js';
import { el } from './dom.js';
import { t } from './i18n/index.js';

let counter = 0;

const COORDINATES = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;

export function parseCoordinates(text) {
  const match = COORDINATES.exec(text || '');
  if (!match) return null;
  const lat = Number(match[1]);
  const lon = Number(match[2]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}

/**
 * A place input. `onPick(place)` gets {label, lat, lon, stationId?, kind}.
 * Returns {element, input, setValue(text)}.
 */
export function placeInput({ label, name, searchable, onPick, onFocus }) {
  const id = `place-${name}-${++counter}`;
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const input = el('input', {
    id,
    name,
    type: 'text',
    autocomplete: 'off',
    role: 'combobox',
    'aria-autocomplete': 'list',
    'aria-expanded': 'false',
    'aria-controls': listId,
    'aria-describedby': hintId,
    spellcheck: 'false',
  });
  const list = el('ul', { id: listId, role: 'listbox', class: 'suggestions', hidden: true, 'aria-label': label });
  const hint = el('span', { class: 'hint', id: hintId }, searchable ? t('plan.placeHint') : t('plan.coordHint'));
  let options = [];
  let active = -1;
  let timer = null;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((item, i) => item.setAttribute('aria-selected', String(i === index)));
    if (index >= 0 && list.children[index]) {
      input.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function pick(place) {
    input.value = place.label;
    close();
    onPick(place);
  }

  function show(places) {
    options = places;
    list.replaceChildren(
      ...places.map((place, index) =>
        el(
          'li',
          {
            id: `${listId}-${index}`,
            role: 'option',
            'aria-selected': 'false',
            onmousedown: (event) => {
              event.preventDefault();
              pick(place);
            },
          },
          el('span', { class: 'option-label' }, place.label),
          place.detail ? el('span', { class: 'option-detail' }, place.detail) : null,
          el('span', { class: `option-kind kind-${place.kind}` }, t(`placeKind.${place.kind}`)),
        ),
      ),
    );
    if (!places.length) {
      list.replaceChildren(el('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', id: `${listId}-none` }, t('plan.noPlace')));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(-1);
  }

  async function search(text) {
    controller?.abort();
    controller = new AbortController();
    try {
      const data = await gql(
        'query PlaceSearch($text: String!) { placeSearch(text: $text, first: 8) { label kind lat lon detail stationId } }',
        { text },
        { signal: controller.signal },
      );
      // PlaceKind values (STATION, POI…) name the dictionary keys in lower case.
      if (input.value.trim() === text) show(data.placeSearch.map((place) => ({ ...place, kind: place.kind.toLowerCase() })));
    } catch (error) {
      if (error.name !== 'AbortError') {
        list.replaceChildren(el('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', id: `${listId}-err` }, t('plan.searchFailed')));
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!searchable || text.length < 2 || parseCoordinates(text)) {
      close();
      return;
    }
    timer = setTimeout(() => search(text), 180);
  });
  input.addEventListener('keydown', (event) => {
    const open = !list.hidden && options.length > 0;
    if (event.key === 'ArrowDown' && open) {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === 'ArrowUp' && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === 'Enter') {
      if (open && active >= 0) {
        event.preventDefault();
        pick(options[active]);
      } else if (open && options.length && !parseCoordinates(input.value)) {
        event.preventDefault();
        pick(options[0]);
      } else {
        commitTyped();
      }
    } else if (event.key === 'Escape') {
      close();
    }
  });
  function commitTyped() {
    const coordinates = parseCoordinates(input.value);
    if (coordinates) onPick({ ...coordinates, label: input.value.trim(), kind: 'coordinate' });
  }
  input.addEventListener('change', commitTyped);
  input.addEventListener('focus', () => onFocus?.());
  input.addEventListener('blur', () => setTimeout(close, 120));

  const element = el('div', { class: 'field place-field' }, el('label', { for: id }, label), el('div', { class: 'combo' }, input, list), hint);
  return {
    element,
    input,
    setValue(text) {
      input.value = text;
    },
  };
}
