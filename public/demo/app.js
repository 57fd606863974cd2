// The demo desktop: registers (POST /register), subscribes to a conversation with the relay's client
// module (/relay-client.js, which resumes, reconnects and renews the token by itself), shows each event
// in its group, and sends the sample call through the four event routes.
import { RelayClient } from '/relay-client.js';
import { eventCard, h, utteranceKey } from './render.js';

const $ = (selector) => document.querySelector(selector);
const statusLine = $('#status');
const agentInput = $('#agent');
const conversationInput = $('#conversation');
const registration = $('#registration');
const sampleResults = $('#sample-results');
const sendButton = $('#send-samples');

let token;
let tokenExpiry = 0;

function setStatus(state, text) {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The claims of a JWT (its payload, unverified: only for display), or {} when unreadable. */
function claimsOf(jwt) {
  try {
    const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)) ?? {};
  } catch {
    return {};
  }
}

/** Seconds since the epoch at which a JWT expires (its `exp`), or 0 when unreadable. */
function expiryOf(jwt) {
  return Number(claimsOf(jwt).exp) || 0;
}

const demoId = randomId();
/** The name filled in for the user; it follows the token's project until the user types another. */
let prefilled = '';
function prefill(project) {
  prefilled = `projects/${project}/locations/global/conversations/demo-${demoId}`;
  conversationInput.value = prefilled;
}

async function register() {
  const response = await fetch('/register', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ gcp_agent_assist_user: agentInput.value.trim() || 'demo-agent' }),
  });
  if (response.status !== 200) {
    const detail = response.status === 401 ? ' (this stack requires a platform token: AUTH_OPTION is set)' : '';
    throw new Error(`POST /register answered ${response.status}${detail}`);
  }
  token = (await response.json()).token;
  tokenExpiry = expiryOf(token);
  // A token opens only its own project's conversations.
  const project = claimsOf(token).gcp_agent_assist_project;
  if (typeof project === 'string' && project !== '' && conversationInput.value === prefilled) prefill(project);
  const until = tokenExpiry ? ` until ${new Date(tokenExpiry * 1000).toLocaleTimeString()}` : '';
  registration.textContent = `Registered as ${agentInput.value.trim() || 'demo-agent'}; token valid${until}.`;
  return token;
}

/** The current token, registering again when there is none, it is about to expire, or `renew`. */
async function currentToken(renew) {
  if (!token || renew || (tokenExpiry && tokenExpiry * 1000 - Date.now() < 30_000)) await register();
  return token;
}

let client;
let subscription;

const closeText = (detail) => `${detail.code ?? ''}${detail.reason ? `: ${detail.reason}` : ''}`;

/** The page's one client (one WebSocket for all its subscriptions), made on first use and after a final close. */
function relayClient() {
  if (client && client.state !== 'closed') return client;
  client = new RelayClient({ url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`, getToken: currentToken });
  client.on('state', (state, detail) => {
    if (state === 'connecting') setStatus('connecting', detail.attempt ? `Reconnecting (attempt ${detail.attempt + 1})` : 'Connecting');
    else if (state === 'connected') setStatus('connected', subscription?.active ? `Joining ${subscription.conversation}` : 'Connected');
    else if (state === 'disconnected' && detail.error) setStatus('error', `Registration failed: ${detail.error.message}; retrying in ${(detail.delayMs / 1000).toFixed(1)} s`);
    else if (state === 'disconnected') setStatus('reconnecting', `Connection closed (${closeText(detail)}); reconnecting in ${(detail.delayMs / 1000).toFixed(1)} s`);
    else setStatus('closed', `Connection closed (${closeText(detail)})`);
  });
  return client;
}

/** Follows `name` (leaving the conversation followed before). */
function follow(name) {
  subscription?.unsubscribe();
  const sub = relayClient().subscribe(name);
  subscription = sub;
  sub.on('event', showEvent);
  sub.on('joined', ({ conversation, replayed }) => setStatus('joined', `Joined ${conversation}${replayed ? ` (${replayed} replayed)` : ''}`));
  sub.on('error', (error) => setStatus('error', `Relay error ${error.code}: ${error.message}`));
  if (relayClient().state === 'connected') setStatus('joining', `Joining ${name}`);
}

function group(dataType) {
  return document.querySelector(`.event-group[data-group="${dataType}"]`);
}

function clearEvents() {
  for (const section of document.querySelectorAll('.event-group')) {
    section.querySelector('[data-count]').textContent = '0';
    const list = section.querySelector('.event-list');
    const empty = list.querySelector('.empty');
    list.replaceChildren(...(empty ? [empty] : []));
    if (empty) empty.hidden = false;
  }
}

function showEvent(frame) {
  const section = group(frame.dataType);
  if (!section) return;
  const list = section.querySelector('.event-list');
  const empty = list.querySelector('.empty');
  if (empty) empty.hidden = true;
  const counter = section.querySelector('[data-count]');
  counter.textContent = String(Number(counter.textContent) + 1);
  const card = eventCard(frame);
  const utterance = utteranceKey(frame);
  if (utterance) {
    card.dataset.utterance = utterance;
    const previous = [...list.children].find((item) => item.dataset.utterance === utterance);
    if (previous) return previous.replaceWith(card);
  }
  list.append(card);
}

async function join(event) {
  event.preventDefault();
  // Registered first: the name filled in follows the token's project.
  await currentToken();
  const name = conversationInput.value.trim();
  if (!conversationInput.checkValidity()) {
    setStatus('error', 'The conversation name must look like projects/P/locations/L/conversations/C');
    return;
  }
  if (subscription?.active && subscription.conversation === name) return;
  clearEvents();
  follow(name);
}

async function sendSamples() {
  const name = conversationInput.value.trim();
  sendButton.disabled = true;
  sampleResults.replaceChildren();
  try {
    const response = await fetch(`/demo/samples?conversation=${encodeURIComponent(name)}`);
    if (response.status !== 200) throw new Error(`GET /demo/samples answered ${response.status}: ${(await response.json()).error ?? ''}`);
    const { deliveries } = await response.json();
    for (const [index, delivery] of deliveries.entries()) {
      // Paced a little so a person sees the call unfold; each POST is awaited, so the order holds anyway.
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, 120));
      const posted = await fetch(delivery.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(delivery.envelope) });
      const ok = posted.status >= 200 && posted.status < 300;
      sampleResults.append(h('li', { class: ok ? 'ok' : 'failed' }, `POST ${delivery.path} → ${posted.status}`));
    }
  } catch (error) {
    sampleResults.append(h('li', { class: 'failed' }, error.message));
  } finally {
    sendButton.disabled = false;
  }
}

$('#register').addEventListener('click', () => {
  register().catch((error) => {
    registration.textContent = error.message;
  });
});
$('#join-form').addEventListener('submit', (event) => {
  join(event).catch((error) => setStatus('error', error.message));
});
sendButton.addEventListener('click', () => void sendSamples());
prefill('local-project');
