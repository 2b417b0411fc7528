// Residents' accounts: sign up, sign in, sign out (the session token stays in this browser).
import { gql, residentSession, setResidentSession } from '../api.js';
import { announce, el, errorBox, field, statusLine } from '../dom.js';
import { t } from '../i18n/index.js';

const SIGNED_IN = 'token expiresAt viewer { id displayName email role }';
// Where to go once the emailed link is followed (it may open in another tab, hence storage).
const AFTER_SIGN_UP = 'issy.afterSignUp';

export async function render(main, { rest, params }) {
  if (rest[0] === 'confirm') return renderConfirm(main, params.get('token'));
  const back = params.get('back');
  const session = residentSession();
  if (session) return renderSignedIn(main, session);
  const page = el('div', { class: 'page' }, el('h1', {}, t('account.title')), el('p', {}, t('account.intro')));
  page.append(signInForm(back), signUpForm(back));
  main.replaceChildren(page);
  return {};
}

function afterSignIn(signedIn, back) {
  setResidentSession(signedIn);
  announce(t('account.welcome', { name: signedIn.viewer.displayName }));
  location.hash = back && back.startsWith('#/') ? back : '#/account';
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

async function renderConfirm(main, token) {
  const page = el('div', { class: 'page' }, el('h1', {}, t('account.confirmTitle')), statusLine(t('loading')));
  main.replaceChildren(page);
  try {
    const data = await gql(`mutation Confirm($token: String!) { confirmSignUp(token: $token) { ${SIGNED_IN} } }`, { token: token || '' });
    const back = localStorage.getItem(AFTER_SIGN_UP);
    localStorage.removeItem(AFTER_SIGN_UP);
    afterSignIn(data.confirmSignUp, back);
  } catch (error) {
    page.replaceChildren(el('h1', {}, t('account.confirmTitle')), errorBox(error),
      el('p', {}, el('a', { href: '#/account' }, t('account.signUp'))));
  }
  return {};
}

function signInForm(back) {
  const email = el('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = el('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'signin-heading' },
    el('h2', { id: 'signin-heading' }, t('account.signIn')),
    field(t('account.email'), email), field(t('account.password'), password),
    message, el('button', { type: 'submit', class: 'primary' }, t('account.signInSubmit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren(statusLine(t('loading')));
    try {
      const data = await gql(`mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { ${SIGNED_IN} } }`,
        { email: email.value.trim(), password: password.value });
      afterSignIn(data.signIn, back);
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function signUpForm(back) {
  const name = el('input', { type: 'text', name: 'displayName', autocomplete: 'nickname', required: true, maxlength: 80 });
  const email = el('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = el('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true, minlength: 10 });
  const message = el('div', { role: 'status' });
  const form = el('form', { class: 'narrow', 'aria-labelledby': 'signup-heading' },
    el('h2', { id: 'signup-heading' }, t('account.signUp')),
    field(t('account.displayName'), name), field(t('account.email'), email),
    field(t('account.newPassword'), password, t('account.passwordHint')),
    message, el('button', { type: 'submit', class: 'primary' }, t('account.signUpSubmit')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren(statusLine(t('loading')));
    try {
      // The account exists once the emailed link is followed (confirmSignUp).
      const data = await gql(`mutation SignUp($email: String!, $password: String!, $name: String!) {
        signUp(email: $email, password: $password, displayName: $name) { email message } }`,
      { email: email.value.trim(), password: password.value, name: name.value.trim() });
      if (back && back.startsWith('#/')) localStorage.setItem(AFTER_SIGN_UP, back);
      form.reset();
      message.replaceChildren(el('div', { class: 'success-box', role: 'alert' },
        el('p', {}, el('strong', {}, t('account.checkEmail', { email: data.signUp.email }))),
        el('p', {}, data.signUp.message)));
    } catch (error) {
      message.replaceChildren(errorBox(error));
    }
  });
  return form;
}

function renderSignedIn(main, session) {
  const message = el('div', { role: 'status' });
  const signOut = el('button', { type: 'button', class: 'secondary', onclick: async () => {
    try {
      await gql('mutation SignOut { signOut }', {}, { auth: 'resident' });
    } catch {
      // The session is dropped here whatever the server says.
    }
    setResidentSession(null);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } }, t('account.signOut'));
  main.replaceChildren(el('div', { class: 'page' },
    el('h1', {}, t('account.title')),
    el('p', {}, t('account.signedInAs', { name: session.viewer.displayName, email: session.viewer.email })),
    el('p', {}, t('account.whatNow'), ' ', el('a', { href: '#/services' }, t('nav.services'))),
    ['PLANNER', 'ADMIN'].includes(session.viewer.role) ? el('p', {}, el('a', { href: '#/planner' }, t('nav.planner'))) : null,
    signOut, message));
  return {};
}
