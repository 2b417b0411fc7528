// GraphQL over HTTP (POST /graphql) and graphql-transport-ws: the client's only way to the server.
// Every call says the reader's language (Accept-Language; ?lang= on the WebSocket, which cannot
// carry headers), so the server words steps, routing errors and error messages in it.
import { language } from './i18n/index.js';

export class ApiError extends Error {
  /** errors: the GraphQL errors array, or a single network/HTTP problem. */
  constructor(message, { code = null, errors = [], status = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.errors = errors;
    this.status = status;
  }
}

const PARTNER_KEY = 'issy.partnerKey';

export function partnerKey() {
  try {
    return sessionStorage.getItem(PARTNER_KEY);
  } catch {
    return null;
  }
}

export function setPartnerKey(key) {
  if (key) sessionStorage.setItem(PARTNER_KEY, key);
  else sessionStorage.removeItem(PARTNER_KEY);
}

const RESIDENT_SESSION = 'issy.session';

/** The signed-in resident's session {token, expiresAt, viewer}, or null (expired ones too). */
export function residentSession() {
  try {
    const session = JSON.parse(localStorage.getItem(RESIDENT_SESSION) || 'null');
    if (session && new Date(session.expiresAt) > new Date()) return session;
  } catch {
    // Unreadable storage: treat as signed out.
  }
  return null;
}

export function setResidentSession(session) {
  if (session) localStorage.setItem(RESIDENT_SESSION, JSON.stringify(session));
  else localStorage.removeItem(RESIDENT_SESSION);
  window.dispatchEvent(new CustomEvent('issy:session'));
}

/**
 * Run one GraphQL document. Resolves with `data`; rejects with ApiError when the server
 * answered errors (the first error's message and extensions.code) or could not be reached.
 */
export async function gql(query, variables = {}, { auth = false, signal } = {}) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Accept-Language': language(),
  };
  // auth: true sends the partner's API key (console), 'resident' the resident's session.
  const key = auth === 'resident' ? residentSession()?.token : auth ? partnerKey() : null;
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError('network', { code: 'NETWORK' });
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`HTTP ${response.status}`, { code: 'HTTP', status: response.status });
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    if (auth === 'resident' && first.extensions?.code === 'UNAUTHENTICATED') setResidentSession(null);
    throw new ApiError(first.message, {
      code: first.extensions?.code ?? null,
      errors: body.errors,
      status: response.status,
    });
  }
  if (!response.ok) {
    throw new ApiError(`HTTP ${response.status}`, { code: 'HTTP', status: response.status });
  }
  return body.data;
}

let capabilitiesPromise = null;

/**
 * Which root fields the server offers, so pages can use parts of the API that land later
 * (reviews, traffic) and skip them gracefully when absent.
 */
export function capabilities() {
  if (!capabilitiesPromise) {
    capabilitiesPromise = gql(`query Capabilities {
      __schema {
        queryType { fields { name } }
        mutationType { fields { name } }
      }
    }`).then((data) => ({
      query: new Set(data.__schema.queryType.fields.map((f) => f.name)),
      mutation: new Set((data.__schema.mutationType?.fields ?? []).map((f) => f.name)),
    }));
    capabilitiesPromise.catch(() => {
      capabilitiesPromise = null;
    });
  }
  return capabilitiesPromise;
}

/** The fields of one object type (or null when the type is unknown). */
export async function typeFields(typeName) {
  const data = await gql(`query TypeFields($name: String!) {
    __type(name: $name) { fields { name } inputFields { name } }
  }`, { name: typeName });
  const type = data.__type;
  if (!type) return null;
  return new Set([...(type.fields ?? []), ...(type.inputFields ?? [])].map((f) => f.name));
}

/**
 * Follow a subscription over graphql-transport-ws. Returns a function that closes it.
 * onNext gets each `data`; onError is told once when the socket fails (callers fall back to
 * polling).
 */
export function subscribe(query, variables, { onNext, onError }) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let socket;
  let closed = false;
  try {
    socket = new WebSocket(`${scheme}://${location.host}/graphql?lang=${language()}`, 'graphql-transport-ws');
  } catch (error) {
    onError?.(error);
    return () => {};
  }
  socket.addEventListener('open', () => {
    const payload = {};
    const key = partnerKey();
    if (key) payload.Authorization = `Bearer ${key}`;
    socket.send(JSON.stringify({ type: 'connection_init', payload }));
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
    } else if (message.type === 'next' && message.payload?.data) {
      onNext(message.payload.data);
    } else if (message.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    } else if (message.type === 'error') {
      onError?.(new ApiError('subscription refused', { errors: message.payload }));
    }
  });
  socket.addEventListener('error', (event) => {
    if (!closed) onError?.(event);
  });
  return () => {
    closed = true;
    if (socket.readyState <= 1) socket.close();
  };
}
