// Small DOM helpers: elements are built with text nodes, never from HTML strings of user data.
import { t } from './i18n/index.js';

/** el('a', {href: '#'}, 'text', child...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      node.className = value;
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(name, '');
    } else {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let fieldCounter = 0;

/** A labelled form control: returns {wrapper, input}. */
export function field(labelText, control, hint) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  const children = [el('label', { for: id }, labelText), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    children.push(el('span', { class: 'hint', id: hintId }, hint));
  }
  return el('div', { class: 'field' }, children);
}

/** A visible, announced error message for an ApiError or any Error. */
export function errorBox(error, extra) {
  return el(
    'div',
    { class: 'error', role: 'alert' },
    el('strong', {}, t('error.title')),
    ' ',
    describeError(error),
    extra ? el('div', {}, extra) : null,
  );
}

export function describeError(error) {
  if (!error) return t('error.unknown');
  if (error.code === 'NETWORK') return t('error.network');
  // The server words its messages in the reader's language (Accept-Language): shown as they are.
  if (error.code === 'UNAUTHENTICATED') return error.message || t('error.unauthenticated');
  if (error.code === 'FORBIDDEN') return error.message || t('error.forbidden');
  if (error.code === 'HTTP') return t('error.http', { status: error.status });
  return error.message || t('error.unknown');
}

export function announce(text) {
  const node = document.getElementById('announcer');
  if (!node) return;
  node.textContent = '';
  // A fresh text node after a tick makes screen readers speak repeated messages too.
  setTimeout(() => {
    node.textContent = text;
  }, 30);
}

export function statusLine(text) {
  return el('p', { class: 'status', role: 'status' }, text);
}
