/**
 * The client in headless Chromium, the way a CCaaS desktop embeds it: a contact-center shell (one origin)
 * frames the agent desktop (a second origin), whose strict Content-Security-Policy allows scripts only from
 * itself and the relay, and connections only to the relay. The desktop imports the module from the local
 * stack's `/relay-client.js` (a third origin), registers, subscribes, and shows the events the test posts
 * to the stack's event routes: each once, in order, typed by `dataType`, with no CSP violation.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { Frame, Page } from 'playwright-core';
import { VERSION } from '../src/client/relay-client';
import { sampleDeliveries } from '../src/relay/demo';
import { sampleCall } from '../src/samples/notifications';
import { launchChromium, type Browser } from './helpers/browser';
import { TEST_PROJECT, postEvent, startServer, type RunningServer } from './helpers/stack';

/** The desktop's script: plain browser code that only the client module and the DOM help. */
function desktopScript(relay: string): string {
  return `
import { RelayClient, VERSION } from '${relay}/relay-client.js';
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
document.addEventListener('securitypolicyviolation', (e) => $('violations').append(Object.assign(document.createElement('li'), { textContent: e.violatedDirective + ' ' + e.blockedURI })));
$('version').textContent = VERSION;
let registrations = 0;
async function getToken(renew) {
  registrations += 1;
  const response = await fetch('${relay}/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gcp_agent_assist_user: 'iframe-agent' }) });
  if (response.status !== 200) throw new Error('register answered ' + response.status);
  $('registrations').textContent = String(registrations) + (renew ? ' renewed' : '');
  return (await response.json()).token;
}
const client = new RelayClient({ url: '${relay.replace(/^http/, 'ws')}/ws', getToken });
client.on('state', (state) => { $('state').textContent = state; });
const sub = client.subscribe(params.get('conversation'));
sub.on('joined', ({ replayed }) => { $('joined').textContent = 'joined, ' + replayed + ' replayed'; });
sub.on('error', (error) => { $('errors').textContent += error.code + ' '; });
sub.on('event', (event) => {
  let text = '';
  switch (event.dataType) {
    case 'new-message-event': text = event.data.newMessagePayload?.content ?? ''; break;
    case 'new-recognition-result-notification-event': text = event.data.newRecognitionResultPayload?.transcript ?? ''; break;
    case 'conversation-lifecycle-event': text = event.data.type ?? ''; break;
    case 'human-agent-assistant-event': text = event.data.suggestionResults?.[0]?.suggestArticlesResponse?.articleAnswers?.[0]?.title ?? ''; break;
  }
  const item = Object.assign(document.createElement('li'), { textContent: text });
  item.dataset.id = event.id;
  item.dataset.type = event.dataType;
  $('events').append(item);
});
`;
}

const DESKTOP_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>desktop</title>
<script type="module" src="/desktop.js"></script></head><body>
<p id="version"></p><p id="state"></p><p id="joined"></p><p id="registrations"></p><p id="errors"></p>
<ol id="events"></ol><ul id="violations"></ul></body></html>`;

describe('relay client in Chromium, in a cross-origin iframe under a strict CSP', function () {
  this.timeout(40_000);
  let stack: RunningServer;
  let host: Server;
  let hostPort: number;
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
    stack = await startServer({}, { local: true, mountFunctions: true });
    const relay = stack.url; // http://127.0.0.1:<port>
    host = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/shell.html') {
        // The contact-center shell at http://localhost:<port>, framing the desktop at http://127.0.0.1:<port>.
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': `default-src 'none'; frame-src http://127.0.0.1:${hostPort}` });
        return res.end(`<!doctype html><title>shell</title><iframe src="http://127.0.0.1:${hostPort}/desktop.html${(req.url ?? '').slice(path.length)}" width="800" height="600"></iframe>`);
      }
      const csp = [
        "default-src 'none'",
        `script-src 'self' ${relay}`,
        `connect-src ${relay} ${relay.replace(/^http/, 'ws')}`,
        "base-uri 'none'",
        `frame-ancestors http://localhost:${hostPort}`,
      ].join('; ');
      if (path === '/desktop.html') {
        res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp });
        return res.end(DESKTOP_HTML);
      }
      if (path === '/desktop.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(desktopScript(relay));
      }
      res.writeHead(404).end();
    });
    host.listen(0, '127.0.0.1');
    await once(host, 'listening');
    hostPort = (host.address() as { port: number }).port;
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    host?.close();
  });

  async function openDesktop(conversation: string): Promise<{ page: Page; frame: Frame; problems: string[] }> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://localhost:${hostPort}/shell.html?conversation=${encodeURIComponent(conversation)}`);
    await page.locator('iframe').waitFor();
    const frame = page.frames().find((f) => f.url().includes('/desktop.html'));
    assert.ok(frame, 'the desktop frame loaded');
    return { page, frame, problems };
  }

  it('imports /relay-client.js from the stack, registers, subscribes and shows each posted event once, in order', async () => {
    const conversation = `projects/${TEST_PROJECT}/locations/global/conversations/iframe-${process.pid}`;
    const { page, frame, problems } = await openDesktop(conversation);
    await frame.locator('#joined').filter({ hasText: 'joined, 0 replayed' }).waitFor();
    assert.equal(await frame.locator('#version').textContent(), VERSION);
    assert.equal(await frame.locator('#state').textContent(), 'connected');
    assert.notEqual(new URL(frame.url()).origin, new URL(stack.url).origin, 'the desktop and the relay are different origins');
    assert.notEqual(new URL(frame.url()).origin, new URL(page.url()).origin, 'the desktop is framed by another origin');

    const deliveries = sampleDeliveries(conversation);
    for (const delivery of deliveries) assert.equal(await postEvent(stack.url, delivery.path, delivery.envelope), 204);
    const items = frame.locator('#events li');
    await items.nth(deliveries.length - 1).waitFor();
    const shown = await items.evaluateAll((lis) => lis.map((li) => ({ id: li.getAttribute('data-id'), type: li.getAttribute('data-type'), text: li.textContent })));
    assert.equal(shown.length, deliveries.length);
    assert.deepEqual(shown.map((item) => item.type), sampleCall(conversation).map((sample) => sample.type));
    assert.equal(new Set(shown.map((item) => item.id)).size, shown.length, 'each event once');
    const texts = shown.map((item) => item.text);
    assert.ok(texts.includes('CONVERSATION_STARTED') && texts.includes('I was charged twice for my order') && texts.includes('Refunds for duplicate charges'), JSON.stringify(texts));

    // Nothing was blocked and nothing failed...
    assert.equal(await frame.locator('#violations li').count(), 0, await frame.locator('#violations').innerText());
    assert.equal(await frame.locator('#errors').textContent(), '');
    assert.deepEqual(problems, []);
    // ...while the policy is in force: a script from an origin it does not name is refused.
    const elsewhere = `http://localhost:${hostPort}/desktop.js`;
    await frame.evaluate(`document.head.append(Object.assign(document.createElement('script'), { src: ${JSON.stringify(elsewhere)}, type: 'module' }))`);
    await frame.locator('#violations li').filter({ hasText: elsewhere }).waitFor();
    await page.close();
  });

  it('a desktop opened later replays the conversation from history', async () => {
    const conversation = `projects/${TEST_PROJECT}/conversations/iframe-late-${process.pid}`;
    const deliveries = sampleDeliveries(conversation);
    for (const delivery of deliveries) assert.equal(await postEvent(stack.url, delivery.path, delivery.envelope), 204);
    const { page, frame } = await openDesktop(conversation);
    await frame.locator('#joined').filter({ hasText: `joined, ${deliveries.length} replayed` }).waitFor();
    assert.equal(await frame.locator('#events li').count(), deliveries.length);
    await page.close();
  });
});
