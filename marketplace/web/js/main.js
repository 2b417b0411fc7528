// Hash router: #/plan, #/services, #/services/<id>, #/partner, #/planner.
import { capabilities, residentSession } from './api.js';
import { applyStaticTranslations, language, setLanguage, t } from './i18n/index.js';
import { el, errorBox } from './dom.js';

const pages = {
  plan: () => import('./pages/plan.js'),
  services: () => import('./pages/services.js'),
  partner: () => import('./pages/partner.js'),
  planner: () => import('./pages/planner.js'),
  account: () => import('./pages/account.js'),
  ideas: () => import('./pages/ideas.js'),
};

let current = null; // { dispose }

export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || 'plan', rest: parts.slice(1), params: new URLSearchParams(query) };
}

async function route() {
  const main = document.getElementById('main');
  const { page, rest, params } = parseHash();
  current?.dispose?.();
  current = null;
  document.querySelectorAll('.site-header [data-page]').forEach((link) => {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  main.replaceChildren(el('p', { class: 'status', role: 'status' }, t('loading')));
  const loader = pages[page];
  if (!loader) {
    main.replaceChildren(
      el('h1', {}, t('notFound.title')),
      el('p', {}, t('notFound.text')),
      el('a', { href: '#/plan' }, t('nav.plan')),
    );
    return;
  }
  let caps;
  try {
    caps = await capabilities();
  } catch (error) {
    main.replaceChildren(el('h1', {}, 'Issy Mobility'), errorBox(error));
    return;
  }
  try {
    const module = await loader();
    current = await module.render(main, { rest, params, capabilities: caps });
  } catch (error) {
    console.error(error);
    // A module that failed to load (the map library missing from the server, say).
    const missing = error instanceof TypeError && /import|module|fetch/i.test(error.message);
    main.replaceChildren(missing ? errorBox(new Error(t('error.assets'))) : errorBox(error));
  }
}

function updateLanguageButton() {
  const button = document.getElementById('lang-switch');
  const other = language() === 'fr' ? 'en' : 'fr';
  button.textContent = other === 'en' ? 'English' : 'Français';
  button.lang = other;
  button.setAttribute('aria-label', other === 'en' ? 'Switch to English' : 'Passer en français');
}

function updateAccountLink() {
  const session = residentSession();
  const link = document.getElementById('account-link');
  link.textContent = session ? session.viewer.displayName : t('nav.signIn');
}

async function start() {
  applyStaticTranslations();
  // The skip link must not touch the hash, which holds the route.
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });
  updateLanguageButton();
  document.getElementById('lang-switch').addEventListener('click', () => {
    setLanguage(language() === 'fr' ? 'en' : 'fr');
    applyStaticTranslations();
    updateLanguageButton();
    if (!document.getElementById('account-link').parentElement.hidden) updateAccountLink();
    route();
  });
  window.addEventListener('hashchange', (event) => {
    // Pages that keep their state in the hash (plan) handle their own updates.
    if (current?.onHashChange && current.onHashChange(new URL(event.oldURL).hash)) return;
    route();
  });
  try {
    const caps = await capabilities();
    const plannerLink = document.querySelector('[data-page="planner"]');
    if (caps.query.has('hotspots')) plannerLink.parentElement.hidden = false;
    if (caps.query.has('suggestions')) document.querySelector('[data-page="ideas"]').parentElement.hidden = false;
    if (caps.mutation.has('signIn')) {
      document.getElementById('account-link').parentElement.hidden = false;
      updateAccountLink();
      window.addEventListener('issy:session', updateAccountLink);
    }
  } catch {
    // The page itself will say the server is unreachable.
  }
  route();
}

start();
