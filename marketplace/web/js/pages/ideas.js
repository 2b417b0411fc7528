// Challenges and suggestions: the city's calls and partners' proposals, residents' ideas with
// votes, follows and comments, and the located ones on the map.
import { gql, residentSession } from '../api.js';
import { announce, el, errorBox, field, statusLine } from '../dom.js';
import * as fmt from '../format.js';
import { t } from '../i18n/index.js';
import { createMap, focusOn, L, pointMarker } from '../map.js';
import { drawBoundary } from '../components/map-context.js';
import { SERVICE_KINDS } from '../components/service-kinds.js';
import { challengeForm, challengesExplained, isCityStaff } from './ideas/challenges.js';

const SORTS = ['MOST_VOTED', 'NEWEST'];

/** `node` with `children` appended, taken as el() takes them (nulls skipped, text as text). */
function withChildren(node, ...children) {
  node.append(...el('div', {}, ...children).childNodes);
  return node;
}

export async function render(main, { params, capabilities }) {
  const page = el('div', { class: 'page wide' }, el('h1', {}, t('ideas.title')), el('p', {}, t('ideas.intro')));
  main.replaceChildren(page);
  if (!capabilities.query.has('suggestions')) {
    page.append(el('p', {}, t('ideas.unavailable')));
    return {};
  }
  const session = residentSession();
  const auth = session ? 'resident' : false;
  const sort = SORTS.includes(params.get('sort')) ? params.get('sort') : SORTS[0];
  const challengesRegion = el('section', { 'aria-labelledby': 'challenges-title' });
  const ideasRegion = el('section', { 'aria-labelledby': 'ideas-title' });
  const mapElement = el('div', { class: 'map ideas-map', id: 'ideas-map' });
  const formRegion = el('div');
  page.append(el('div', { class: 'service-layout' },
    el('div', {}, challengesRegion, ideasRegion, formRegion),
    el('div', { class: 'map-column sticky' }, mapElement, el('p', { class: 'hint' }, t(isCityStaff(session) ? 'ideas.mapHintStaff' : 'ideas.mapHint')))));

  const map = createMap(mapElement, { label: t('ideas.mapLabel'), capabilities, fitStreets: () => true });
  drawBoundary(map, mapElement, capabilities);
  const located = L.featureGroup().addTo(map);
  const draft = L.layerGroup().addTo(map);
  let draftLocation = null;
  // Comment threads the resident opened stay open when the list is drawn again.
  const openThreads = new Set();

  async function load() {
    challengesRegion.replaceChildren(statusLine(t('loading')));
    let data;
    try {
      data = await gql(`query Ideas($sort: SuggestionSort!) {
        challenges(first: 10) { nodes { id title text area deadline isOpen
          proposals(first: 10) { nodes { id title text voteCount partner { name } services { id name } } } } }
        suggestions(sort: $sort, first: 50) { totalCount nodes { id title text status voteCount viewerHasVoted viewerFollows location kinds
          createdAt author { id displayName } service { id name }
          comments(first: 10) { totalCount nodes { id text official createdAt author { displayName } officialPartner { name } } } } }
      }`, { sort }, { auth });
    } catch (error) {
      challengesRegion.replaceChildren(errorBox(error));
      return;
    }
    located.clearLayers();
    challengesRegion.replaceChildren(el('h2', { id: 'challenges-title' }, t('ideas.challenges')),
      data.challenges.nodes.length
        ? el('ul', { class: 'plain cards-list' }, data.challenges.nodes.map(challengeItem))
        : challengesExplained(),
      staffForm ?? '');
    const sortSelect = el('select', { name: 'sort', onchange: (event) => { location.hash = `#/ideas?sort=${event.target.value}`; } },
      SORTS.map((value) => el('option', { value, selected: value === sort }, t(`ideas.sort.${value}`))));
    ideasRegion.replaceChildren(el('h2', { id: 'ideas-title' }, t('ideas.suggestions', { n: data.suggestions.totalCount })),
      field(t('ideas.sortBy'), sortSelect),
      data.suggestions.nodes.length
        ? el('ul', { class: 'plain cards-list suggestion-list' }, data.suggestions.nodes.map(suggestionItem))
        : el('p', {}, t('community.noSuggestions')));
    if (located.getLayers().length) focusOn(map, located.getBounds(), { padding: [30, 30], maxZoom: 16 });
  }

  function challengeItem(challenge) {
    L.geoJSON(challenge.area, { style: { color: '#1d4ed8', weight: 2, dashArray: '6 6', fillOpacity: 0.05 }, interactive: false })
      .addTo(located);
    return el('li', { class: 'card' },
      el('h3', {}, challenge.title),
      el('p', { class: 'hint' }, challenge.isOpen ? t('ideas.openUntil', { date: fmt.dateTime(challenge.deadline) }) : t('ideas.closed')),
      el('p', {}, challenge.text),
      challenge.proposals.nodes.length
        ? el('ul', { class: 'plain' }, challenge.proposals.nodes.map((proposal) => el('li', {},
          el('strong', {}, proposal.title), ` — ${proposal.partner?.name ?? ''} · ${t('community.votes', { n: proposal.voteCount })} `,
          proposal.services.map((service) => el('a', { href: `#/services/${encodeURIComponent(service.id)}` }, service.name)),
          session ? el('button', { type: 'button', class: 'secondary', onclick: () => write('mutation V($id: ID!) { voteForProposal(id: $id) { voted } }', { id: proposal.id }) },
            t('ideas.voteProposal', { title: proposal.title })) : null)))
        : el('p', {}, t('ideas.noProposals')));
  }

  function suggestionItem(suggestion) {
    if (suggestion.location) {
      const geometry = typeof suggestion.location === 'string' ? JSON.parse(suggestion.location) : suggestion.location;
      if (geometry.type === 'Point') {
        pointMarker([geometry.coordinates[1], geometry.coordinates[0]], { colour: '#a16207', title: suggestion.title }).addTo(located);
      } else {
        L.geoJSON(geometry, { style: { color: '#a16207', weight: 2 } }).bindTooltip(suggestion.title).addTo(located);
      }
    }
    const commentText = el('textarea', { name: 'comment', rows: 2, maxlength: 2000 });
    const own = Boolean(session) && suggestion.author?.id === session.viewer.id;
    const followed = suggestion.viewerFollows;
    const thread = el('details', { open: openThreads.has(suggestion.id) });
    thread.addEventListener('toggle', () => {
      if (thread.open) openThreads.add(suggestion.id);
      else openThreads.delete(suggestion.id);
    });
    return el('li', { class: 'card', dataset: { id: suggestion.id } },
      el('h3', {}, suggestion.title),
      el('p', { class: 'hint' }, `${t(`suggestionStatus.${suggestion.status}`)} · ${suggestion.author?.displayName ?? t('community.anonymous')} · ${fmt.dateTime(suggestion.createdAt)}`),
      el('p', {}, suggestion.text),
      suggestion.service ? el('p', {}, el('a', { href: `#/services/${encodeURIComponent(suggestion.service.id)}` }, suggestion.service.name)) : null,
      suggestion.kinds.length ? el('p', {}, suggestion.kinds.map((kind) => t(`kind.${kind}`)).join(', ')) : null,
      el('p', { class: 'row' }, t('community.votes', { n: suggestion.voteCount }),
        // One's own idea is not voted for: it says so instead.
        own ? el('span', { class: 'own-idea' }, t('ideas.yourIdea')) : null,
        session && !own ? el('button', { type: 'button', class: 'secondary', 'aria-pressed': String(suggestion.viewerHasVoted),
          onclick: () => write(`mutation V($id: ID!) { ${suggestion.viewerHasVoted ? 'withdrawSuggestionVote' : 'voteForSuggestion'}(id: $id) { voted } }`, { id: suggestion.id }) },
        t(suggestion.viewerHasVoted ? 'community.unvote' : 'community.vote', { title: suggestion.title })) : null,
        followed ? el('span', { class: 'followed-badge' }, t('ideas.following')) : null,
        session ? el('button', { type: 'button', class: 'secondary', 'aria-pressed': String(followed),
          onclick: () => write('mutation F($id: ID!, $follow: Boolean!) { followSuggestion(id: $id, follow: $follow) { id } }', { id: suggestion.id, follow: !followed },
            t(followed ? 'ideas.unfollowed' : 'ideas.followed')) },
        t(followed ? 'ideas.unfollow' : 'ideas.follow', { title: suggestion.title })) : null),
      withChildren(thread,
        el('summary', {}, t('ideas.comments', { n: suggestion.comments.totalCount })),
        el('ul', { class: 'plain' }, suggestion.comments.nodes.map((comment) => el('li', { class: comment.official ? 'reply' : null },
          el('strong', {}, comment.official ? (comment.officialPartner?.name ?? comment.author?.displayName ?? '') : (comment.author?.displayName ?? t('community.anonymous'))),
          ' ', el('span', { class: 'hint' }, fmt.dateTime(comment.createdAt)), el('p', {}, comment.text)))),
        session
          ? el('form', { onsubmit: (event) => {
            event.preventDefault();
            if (commentText.value.trim()) {
              openThreads.add(suggestion.id);
              write('mutation C($id: ID!, $text: String!) { commentOnSuggestion(suggestionId: $id, text: $text) { id } }', { id: suggestion.id, text: commentText.value.trim() });
            }
          } }, field(t('ideas.yourComment'), commentText), el('button', { type: 'submit', class: 'primary' }, t('ideas.comment')))
          : null));
  }

  /** Send `mutation`; then say `done` and draw the list again. */
  async function write(mutation, variables, done) {
    try {
      await gql(mutation, variables, { auth: 'resident' });
      if (done) announce(done);
      await load();
    } catch (error) {
      ideasRegion.prepend(errorBox(error));
    }
  }

  function suggestForm() {
    if (!session) {
      return el('p', {}, el('a', { href: `#/account?back=${encodeURIComponent('#/ideas')}` }, t('community.signInToTakePart')));
    }
    const title = el('input', { type: 'text', name: 'ideaTitle', required: true, maxlength: 200 });
    const text = el('textarea', { name: 'ideaText', rows: 3, required: true, maxlength: 4000 });
    const where = el('p', { class: 'hint', role: 'status' }, t('ideas.noLocation'));
    const kinds = SERVICE_KINDS.map((kind) => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'ideaKinds', value: kind }), ` ${t(`kind.${kind}`)}`));
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'new-idea-title' },
      el('h2', { id: 'new-idea-title' }, t('community.suggest')),
      field(t('community.suggestionTitle'), title), field(t('community.suggestionText'), text),
      el('fieldset', {}, el('legend', {}, t('ideas.kinds')), el('div', { class: 'checks' }, kinds)),
      where, message, el('button', { type: 'submit', class: 'primary' }, t('community.suggestSubmit')));
    map.on('click', (event) => {
      draftLocation = { type: 'Point', coordinates: [Number(event.latlng.lng.toFixed(6)), Number(event.latlng.lat.toFixed(6))] };
      draft.clearLayers();
      pointMarker(event.latlng, { colour: '#b91c1c', title: t('ideas.here') }).addTo(draft);
      where.textContent = t('ideas.located', { lat: event.latlng.lat.toFixed(5), lon: event.latlng.lng.toFixed(5) });
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!title.value.trim() || !text.value.trim()) {
        message.replaceChildren(el('p', { class: 'form-error' }, t('community.suggestionMissing')));
        return;
      }
      const input = {
        title: title.value.trim(), text: text.value.trim(),
        kinds: [...form.querySelectorAll('input[name="ideaKinds"]:checked')].map((box) => box.value),
      };
      if (draftLocation) input.location = draftLocation;
      try {
        await gql('mutation S($input: SuggestionInput!) { suggest(input: $input) { id } }', { input }, { auth: 'resident' });
        form.reset();
        draft.clearLayers();
        draftLocation = null;
        where.textContent = t('ideas.noLocation');
        message.replaceChildren(el('p', { class: 'success' }, t('community.suggestionSaved')));
        await load();
      } catch (error) {
        message.replaceChildren(errorBox(error));
      }
    });
    return form;
  }

  // City staff open challenges (residents alone suggest ideas).
  const staffForm = isCityStaff(session) && capabilities.mutation.has('openChallenge') ? challengeForm(map, load) : null;
  if (!isCityStaff(session)) formRegion.replaceChildren(suggestForm());
  await load();
  return { dispose: () => map.remove() };
}
