// One change to a service's own fields, sent with the version the editor read it at (a stale
// version is a CONFLICT the caller explains), then the service read again; and the words
// that confirm a save.
import { gql } from '../../api.js';
import { announce, el } from '../../dom.js';

const UPDATE = `mutation Update($id: ID!, $v: Int!, $input: UpdateServiceInput!) {
  updateService(id: $id, expectedVersion: $v, input: $input) { id version } }`;

/** Send `input` for `editor` ({id, service, reload}) at `version` (the one read); reload. */
export async function updateService(editor, input, version = editor.service.version) {
  await gql(UPDATE, { id: editor.id, v: version, input }, { auth: true });
  await editor.reload();
}

/** Show `text` as a success in `message`, and say it to screen readers. */
export function confirmSaved(message, text) {
  message.replaceChildren(el('p', { class: 'success' }, text));
  announce(text);
}
