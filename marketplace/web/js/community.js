// Residents' voice next to a service: rating, reviews, suggestions and votes. Shown only for
// the parts of the co-creation API the server has (checked through introspection).
import { ApiError, gql, residentSession } from './api.js';
import { announce, el, errorBox, field, statusLine } from './dom.js';
import * as fmt from './format.js';
import { t } from './i18n/index.js';

function stars(rating) {
  return el('span', { class: 'stars', role: 'img', 'aria-label': t('community.stars', { n: rating }) },
    el('span', { 'aria-hidden': 'true' }, `${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}`));
}

function signInLink() {
  return el('p', {}, el('a', { href: `#/account?back=${encodeURIComponent(location.hash)}` }, t('community.signInToTakePart')));
}

/** The community section of a service page; `onChange` re-renders it after a write. */
export async function communitySection(serviceId, capabilities) {
  const section = el('section', { class: 'community', 'aria-labelledby': 'community-title' },
    el('h2', { id: 'community-title' }, t('community.title')), statusLine(t('loading')));
  const hasReviews = capabilities.query.has('reviews');
  const hasSuggestions = capabilities.query.has('suggestions');
  if (!hasReviews && !hasSuggestions) return null;

  async function load() {
    const session = residentSession();
    const parts = [];
    if (hasReviews) {
      parts.push(`service(id: $id) { rating { average count distribution } }
        reviews(serviceId: $id, first: 20) { totalCount nodes { id rating text createdAt
          author { id displayName } reply { text partner { name } } } }`);
    }
    if (hasSuggestions) {
      parts.push(`suggestions(filter: {serviceId: $id}, sort: MOST_VOTED, first: 20) {
        nodes { id title text status voteCount viewerHasVoted createdAt author { id displayName } } }`);
    }
    let data;
    try {
      data = await gql(`query Community($id: ID!) { ${parts.join('\n')} }`, { id: serviceId }, { auth: session ? 'resident' : false });
    } catch (error) {
      section.replaceChildren(el('h2', { id: 'community-title' }, t('community.title')), errorBox(error));
      return;
    }
    section.replaceChildren(el('h2', { id: 'community-title' }, t('community.title')),
      hasReviews ? reviewsBlock(data, session) : null,
      hasSuggestions ? suggestionsBlock(data.suggestions.nodes, session) : null);
  }

  function reviewsBlock(data, session) {
    const rating = data.service.rating;
    const mine = session ? data.reviews.nodes.find((review) => review.author?.id === session.viewer.id) : null;
    return el('div', { class: 'reviews' },
      el('h3', {}, t('services.reviews')),
      el('p', { class: 'rating', id: 'service-rating' }, rating.count
        ? t('services.rating', { avg: fmt.number(rating.average), n: rating.count })
        : t('services.noReviews')),
      rating.count ? distribution(rating.distribution) : null,
      data.reviews.nodes.length
        ? el('ul', { class: 'plain review-list' }, data.reviews.nodes.map((review) => el('li', {},
          stars(review.rating), ' ', el('strong', {}, review.author?.displayName ?? t('community.anonymous')), ' ',
          el('span', { class: 'hint' }, fmt.dateTime(review.createdAt)),
          review.text ? el('p', {}, review.text) : null,
          review.reply ? el('p', { class: 'reply' }, t('community.reply', { name: review.reply.partner?.name ?? '' }), ' ', review.reply.text) : null)))
        : null,
      capabilities.mutation.has('reviewService') ? (session ? reviewForm(mine) : signInLink()) : null);
  }

  function distribution(counts) {
    return el('ul', { class: 'distribution', 'aria-label': t('community.distribution') },
      counts.map((count, index) => el('li', {}, `${index + 1} ★ : ${count}`)).reverse());
  }

  function reviewForm(mine) {
    const message = el('div', { role: 'status' });
    const radios = [1, 2, 3, 4, 5].map((value) => el('label', { class: 'check' },
      el('input', { type: 'radio', name: 'rating', value, checked: mine ? mine.rating === value : value === 5 }), ` ${value}`));
    const text = el('textarea', { name: 'reviewText', rows: 3, maxlength: 2000 }, mine?.text ?? '');
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'review-form-title' },
      el('h3', { id: 'review-form-title' }, mine ? t('community.editReview') : t('community.writeReview')),
      el('fieldset', {}, el('legend', {}, t('community.yourRating')), el('div', { class: 'checks' }, radios)),
      field(t('community.yourReview'), text), message,
      el('button', { type: 'submit', class: 'primary' }, t('community.publishReview')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const rating = Number(form.querySelector('input[name="rating"]:checked').value);
      message.replaceChildren(statusLine(t('partner.saving')));
      try {
        if (mine) {
          await gql('mutation Edit($id: ID!, $rating: Int, $text: String) { updateReview(id: $id, rating: $rating, text: $text) { id } }',
            { id: mine.id, rating, text: text.value }, { auth: 'resident' });
        } else {
          await gql('mutation Review($id: ID!, $rating: Int!, $text: String!) { reviewService(serviceId: $id, rating: $rating, text: $text) { id } }',
            { id: serviceId, rating, text: text.value }, { auth: 'resident' });
        }
        announce(t('community.reviewSaved'));
        await load();
      } catch (error) {
        message.replaceChildren(errorBox(error instanceof ApiError && error.code === 'CONFLICT' ? new ApiError(t('community.alreadyReviewed')) : error));
      }
    });
    return form;
  }

  function suggestionsBlock(suggestions, session) {
    return el('div', { class: 'suggestions-block' },
      el('h3', {}, t('community.suggestions')),
      suggestions.length
        ? el('ul', { class: 'plain suggestion-list' }, suggestions.map((suggestion) => el('li', {},
          el('strong', {}, suggestion.title), ' ', el('span', { class: 'hint' }, t(`suggestionStatus.${suggestion.status}`)),
          el('p', {}, suggestion.text),
          el('p', {}, t('community.votes', { n: suggestion.voteCount }), ' ',
            // One's own idea is not voted for.
            session && suggestion.author?.id === session.viewer.id ? el('span', { class: 'own-idea' }, t('ideas.yourIdea')) : null,
            session && suggestion.author?.id !== session.viewer.id && capabilities.mutation.has('voteForSuggestion') ? voteButton(suggestion) : null))))
        : el('p', {}, t('community.noSuggestions')),
      capabilities.mutation.has('suggest') ? (session ? suggestForm() : signInLink()) : null);
  }

  function voteButton(suggestion) {
    const mutation = suggestion.viewerHasVoted ? 'withdrawSuggestionVote' : 'voteForSuggestion';
    return el('button', { type: 'button', class: 'secondary', 'aria-pressed': String(suggestion.viewerHasVoted), onclick: async () => {
      try {
        await gql(`mutation Vote($id: ID!) { ${mutation}(id: $id) { voted } }`, { id: suggestion.id }, { auth: 'resident' });
        await load();
      } catch (error) {
        section.append(errorBox(error));
      }
    } }, t(suggestion.viewerHasVoted ? 'community.unvote' : 'community.vote', { title: suggestion.title }));
  }

  function suggestForm() {
    const title = el('input', { type: 'text', name: 'suggestionTitle', required: true, maxlength: 200 });
    const text = el('textarea', { name: 'suggestionText', rows: 3, required: true, maxlength: 4000 });
    const message = el('div', { role: 'status' });
    const form = el('form', { class: 'narrow', 'aria-labelledby': 'suggest-title' },
      el('h3', { id: 'suggest-title' }, t('community.suggest')),
      field(t('community.suggestionTitle'), title), field(t('community.suggestionText'), text), message,
      el('button', { type: 'submit', class: 'primary' }, t('community.suggestSubmit')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!title.value.trim() || !text.value.trim()) {
        message.replaceChildren(el('p', { class: 'form-error' }, t('community.suggestionMissing')));
        return;
      }
      try {
        await gql('mutation Suggest($input: SuggestionInput!) { suggest(input: $input) { id } }',
          { input: { title: title.value.trim(), text: text.value.trim(), serviceId } }, { auth: 'resident' });
        announce(t('community.suggestionSaved'));
        await load();
      } catch (error) {
        message.replaceChildren(errorBox(error));
      }
    });
    return form;
  }

  await load();
  return section;
}
