// Renders relay `event` frames as readable DOM. Every piece of event content goes through
// textContent or a checked attribute, never innerHTML, so a notification cannot inject markup.

/**
 * Builds an element: `h('p', { class: 'x' }, 'text', child)`. Strings become text nodes; `null`
 * and `undefined` children are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return element;
}

/** Only http(s) links become anchors: a `javascript:` URI in a notification stays plain text. */
function safeHref(uri) {
  try {
    const url = new URL(String(uri));
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function percent(confidence) {
  return typeof confidence === 'number' && confidence > 0 ? h('span', { class: 'confidence', title: 'confidence' }, `${Math.round(confidence * 100)}%`) : null;
}

function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const ROLES = { END_USER: 'Customer', HUMAN_AGENT: 'Agent', AUTOMATED_AGENT: 'Virtual agent' };

/** A participant role as a person reads it. */
export function roleLabel(role) {
  return ROLES[role] ?? (role ? String(role) : 'Unknown participant');
}

const LIFECYCLE = {
  CONVERSATION_STARTED: 'Conversation started',
  CONVERSATION_FINISHED: 'Conversation finished',
  HUMAN_INTERVENTION_NEEDED: 'Human intervention needed',
  UNRECOVERABLE_ERROR: 'Unrecoverable error',
};

function suggestion(kind, ...body) {
  return h('div', { class: `suggestion suggestion-${kind.toLowerCase().replace(/\s+/g, '-')}` }, h('span', { class: 'kind' }, kind), ...body);
}

function articles(response) {
  return (response.articleAnswers ?? []).map((answer) => {
    const href = safeHref(answer.uri);
    const title = answer.title || answer.uri || 'Untitled article';
    return suggestion(
      'Article',
      h('p', { class: 'title' }, href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, title) : title, ' ', percent(answer.confidence)),
      ...(answer.snippets ?? []).map((snippet) => h('p', { class: 'snippet' }, String(snippet))),
      href ? h('p', { class: 'uri' }, href) : null,
    );
  });
}

function faqs(response) {
  return (response.faqAnswers ?? []).map((answer) =>
    suggestion('FAQ', h('p', { class: 'title' }, answer.question || 'Answer', ' ', percent(answer.confidence)), h('p', { class: 'snippet' }, answer.answer ?? '')),
  );
}

function smartReplies(response) {
  return (response.smartReplyAnswers ?? []).map((answer) => suggestion('Smart reply', h('p', { class: 'reply' }, answer.reply ?? ''), percent(answer.confidence)));
}

function dialogflowAssists(response) {
  return (response.dialogflowAssistAnswers ?? []).map((answer) => {
    const text = answer.queryResult?.fulfillmentText || answer.intentSuggestion?.displayName || 'Dialogflow assist';
    return suggestion('Dialogflow assist', h('p', { class: 'reply' }, text));
  });
}

function knowledgeAssist(response) {
  const answer = response.knowledgeAssistAnswer ?? {};
  return [
    suggestion(
      'Knowledge assist',
      h('p', { class: 'title' }, answer.suggestedQuery?.queryText ?? 'Suggested answer'),
      h('p', { class: 'snippet' }, answer.suggestedQueryAnswer?.answerText ?? ''),
    ),
  ];
}

const SUGGESTION_RENDERERS = {
  suggestArticlesResponse: articles,
  suggestFaqAnswersResponse: faqs,
  suggestSmartRepliesResponse: smartReplies,
  suggestDialogflowAssistsResponse: dialogflowAssists,
  suggestEntityExtractionResponse: dialogflowAssists,
  suggestKnowledgeAssistResponse: knowledgeAssist,
};

function suggestionResult(result) {
  if (result?.error) return [suggestion('Error', h('p', {}, result.error.message ?? 'Suggestion failed'))];
  const rendered = [];
  for (const [key, value] of Object.entries(result ?? {})) {
    const render = SUGGESTION_RENDERERS[key];
    rendered.push(...(render ? render(value ?? {}) : [suggestion('Other', h('p', {}, key))]));
  }
  return rendered;
}

/** The readable body of each data type: `(frame) => Node`. */
const BODIES = {
  'human-agent-assistant-event'(frame) {
    const items = (frame.data.suggestionResults ?? []).flatMap(suggestionResult);
    return h('div', { class: 'suggestions' }, items.length ? items : h('p', { class: 'hint' }, 'No suggestions in this notification.'));
  },
  'new-message-event'(frame) {
    const message = frame.data.newMessagePayload ?? {};
    const role = message.participantRole;
    return h(
      'div',
      { class: `message role-${String(role ?? 'unknown').toLowerCase()}` },
      h('p', { class: 'speaker' }, roleLabel(role)),
      h('p', { class: 'text' }, message.content ?? ''),
    );
  },
  'conversation-lifecycle-event'(frame) {
    const type = String(frame.data.type ?? 'UNKNOWN');
    return h('div', { class: `lifecycle lifecycle-${type.toLowerCase()}` }, h('p', { class: 'text' }, LIFECYCLE[type] ?? type), h('code', {}, type));
  },
  'new-recognition-result-notification-event'(frame) {
    const result = frame.data.newRecognitionResultPayload ?? {};
    const final = result.isFinal === true;
    const kind = result.messageType === 'END_OF_SINGLE_UTTERANCE' ? 'end of utterance' : final ? 'final' : 'partial';
    return h(
      'div',
      { class: `transcript ${final ? 'final' : 'partial'}` },
      h('p', { class: 'speaker' }, roleLabel(frame.attributes?.participant_role), ' ', h('span', { class: 'badge' }, kind), ' ', percent(result.confidence)),
      h('p', { class: 'text' }, result.transcript ?? ''),
    );
  },
};

/** The card of one event frame: time, readable body, and the raw JSON behind a toggle. */
export function eventCard(frame) {
  const render = BODIES[frame.dataType];
  let body;
  try {
    body = render ? render(frame) : h('p', {}, `Unknown event type ${frame.dataType}`);
  } catch {
    body = h('p', { class: 'hint' }, 'This notification could not be read; see the raw JSON.');
  }
  return h(
    'li',
    { class: 'card', 'data-event-id': frame.id },
    h('p', { class: 'meta' }, h('time', { datetime: frame.publishTime || frame.ackTime }, time(frame.publishTime || frame.ackTime)), ' ', h('span', { class: 'id' }, `#${frame.id}`)),
    body,
    h('details', {}, h('summary', {}, 'Raw JSON'), h('pre', {}, JSON.stringify({ attributes: frame.attributes, data: frame.data }, null, 2))),
  );
}

/**
 * Where a transcript update goes: one card per utterance (the `message_id` attribute), replaced as
 * partial results give way to the final one, as agent desktops show live captions.
 */
export function utteranceKey(frame) {
  return frame.dataType === 'new-recognition-result-notification-event' ? frame.attributes?.message_id : undefined;
}
