/**
 * The demo desktop (`/` of the local stack), driven in headless Chromium: register, join, send the
 * sample call, see every type rendered; resume after the last event id when the relay says reconnect;
 * notification text shown as text. Also: where the page is served, and with what headers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { findPublicDir, sampleDeliveries } from '../src/relay/demo';
import { pushEnvelopeOf, type SampleNotification } from '../src/samples/notifications';
import { launchChromium, type Browser } from './helpers/browser';
import { postEvent, startServer, TEST_PROJECT, type RunningServer } from './helpers/stack';

const ROOT = join(__dirname, '..', '..');
const SCREENSHOT = join(ROOT, 'test-output', 'demo-page.png');

const group = (page: Page, type: string) => page.locator(`.event-group[data-group="${type}"]`);
const count = async (page: Page, type: string): Promise<string | null> => group(page, type).locator('[data-count]').textContent();

async function postAll(url: string, conversation: string): Promise<void> {
  for (const delivery of sampleDeliveries(conversation)) assert.equal(await postEvent(url, delivery.path, delivery.envelope), 204);
}

describe('demo desktop: serving', () => {
  let server: RunningServer | undefined;
  afterEach(async () => server?.close());

  it('the local stack serves the page and its assets, with a strict content security policy', async () => {
    server = await startServer({}, { local: true, mountFunctions: true });
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="\/demo\/app.js">/);
    assert.match(await (await fetch(`${server.url}/demo/app.js`)).text(), /^import \{ RelayClient \} from '\/relay-client\.js';$/m, 'the page uses the served client');
    for (const asset of ['app.js', 'render.js', 'style.css']) {
      const response = await fetch(`${server.url}/demo/${asset}`);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers.get('content-type') ?? '', asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    assert.equal((await fetch(`${server.url}/demo/%2e%2e/package.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/status`)).headers.get('content-security-policy'), null, 'only the page gets the page headers');
  });

  it('GET /demo/samples hands out push envelopes of all four types, each with its own message id', async () => {
    server = await startServer({}, { local: true, mountFunctions: true });
    const conversation = 'projects/p/locations/global/conversations/c1';
    const response = await fetch(`${server.url}/demo/samples?conversation=${encodeURIComponent(conversation)}`);
    assert.equal(response.status, 200);
    const { deliveries } = (await response.json()) as { deliveries: Array<{ path: string; envelope: { message: { messageId: string; data: string } } }> };
    assert.deepEqual(new Set(deliveries.map((d) => d.path)), new Set(['/human-agent-assistant-event', '/new-message-event', '/conversation-lifecycle-event', '/new-recognition-result-notification-event']));
    assert.equal(new Set(deliveries.map((d) => d.envelope.message.messageId)).size, deliveries.length);
    const first = JSON.parse(Buffer.from(deliveries[0].envelope.message.data, 'base64').toString()) as { conversation: string };
    assert.equal(first.conversation, conversation);
    assert.equal((await fetch(`${server.url}/demo/samples?conversation=nope`)).status, 400);
  });

  it('production serves no page unless DEMO_PAGE=true', async () => {
    server = await startServer({}, { local: false, mountFunctions: false });
    assert.equal((await fetch(`${server.url}/`)).status, 404);
    assert.equal((await fetch(`${server.url}/demo/app.js`)).status, 404);
    await server.close();
    server = await startServer({ DEMO_PAGE: 'true' }, { local: false, mountFunctions: false });
    assert.equal((await fetch(`${server.url}/`)).status, 200);
    await server.close();
    server = await startServer({ DEMO_PAGE: 'false' }, { local: true, mountFunctions: true });
    assert.equal((await fetch(`${server.url}/`)).status, 404);
  });

  it('finds public/ from any build directory', () => {
    assert.equal(findPublicDir(), join(ROOT, 'public'));
    assert.equal(findPublicDir(join(ROOT, 'dist-other', 'src', 'relay')), join(ROOT, 'public'));
  });
});

describe('demo desktop in Chromium', function () {
  this.timeout(30_000);
  let server: RunningServer;
  let browser: Browser;
  let problems: string[];

  before(async () => {
    browser = await launchChromium();
    server = await startServer({}, { local: true, mountFunctions: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(server.url);
    return page;
  }

  it('registers, joins, sends the samples and renders each type readably', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByText('Registered as demo-agent').waitFor();
    const conversation = await page.getByLabel('Conversation').inputValue();
    // The name filled in follows the token's project (a token opens only its own project's conversations).
    assert.match(conversation, new RegExp(`^projects/${TEST_PROJECT}/locations/global/conversations/demo-[0-9a-f]{8}$`));

    await page.getByRole('button', { name: 'Connect and join' }).click();
    await page.getByRole('status').filter({ hasText: `Joined projects/${TEST_PROJECT}/conversations/demo-` }).waitFor();
    await page.getByRole('button', { name: 'Send samples' }).click();

    const suggestions = group(page, 'human-agent-assistant-event');
    const article = suggestions.getByRole('link', { name: 'Refunds for duplicate charges' });
    await article.waitFor();
    assert.equal(await article.getAttribute('href'), 'https://support.example.com/articles/duplicate-charges');
    await suggestions.getByText('Duplicate charges are refunded within 3 to 5 business days.', { exact: true }).waitFor();
    await suggestions.getByText('I am sorry about that. Let me look into the duplicate charge.', { exact: true }).waitFor();

    const transcripts = group(page, 'new-recognition-result-notification-event');
    await transcripts.locator('.transcript.final').getByText('I was charged twice for my order', { exact: true }).waitFor();
    assert.equal(await transcripts.locator('.transcript.partial').count(), 0, 'the partial result gave way to the final one');

    const messages = group(page, 'new-message-event');
    await messages.locator('.message.role-end_user').filter({ hasText: 'Customer' }).getByText('I was charged twice for my order', { exact: true }).waitFor();
    await messages.locator('.message.role-human_agent').filter({ hasText: 'Agent' }).getByText('I am sorry about that. Let me look into the duplicate charge.', { exact: true }).waitFor();

    const lifecycle = group(page, 'conversation-lifecycle-event');
    await lifecycle.getByText('Conversation started', { exact: true }).waitFor();
    await lifecycle.getByText('Conversation finished', { exact: true }).waitFor();
    await lifecycle.getByText('CONVERSATION_FINISHED', { exact: true }).waitFor();

    const calls = sampleDeliveries(conversation).length;
    await page.locator('#sample-results li').nth(calls - 1).waitFor();
    assert.equal(await page.locator('#sample-results li.ok').filter({ hasText: '→ 204' }).count(), calls);
    assert.deepEqual([await count(page, 'conversation-lifecycle-event'), await count(page, 'new-recognition-result-notification-event'), await count(page, 'new-message-event'), await count(page, 'human-agent-assistant-event')], ['2', '2', '2', '1']);
    assert.deepEqual(problems, [], 'no console errors (a CSP violation would show here)');

    await page.locator('#send-samples:enabled').waitFor();
    await mkdir(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it('shows notification text as text, never as markup or a script link', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'Connect and join' }).click();
    await page.getByRole('status').filter({ hasText: 'Joined' }).waitFor();
    const conversation = await page.getByLabel('Conversation').inputValue();
    const hostile = '<img src=x onerror="window.pwned=1">Hello';
    const samples: SampleNotification[] = [
      { type: 'new-message-event', attributes: {}, data: { conversation, type: 'NEW_MESSAGE', newMessagePayload: { content: hostile, participantRole: 'END_USER' } } },
      {
        type: 'human-agent-assistant-event',
        attributes: {},
        data: { conversation, suggestionResults: [{ suggestArticlesResponse: { articleAnswers: [{ title: '<b>Click</b>', uri: 'javascript:window.pwned=2', snippets: [] }] } }] },
      },
    ];
    for (const sample of samples) assert.equal(await postEvent(server.url, `/${sample.type}`, pushEnvelopeOf(sample, randomUUID())), 204);

    await group(page, 'new-message-event').getByText(hostile, { exact: true }).waitFor();
    await group(page, 'human-agent-assistant-event').getByText('<b>Click</b>', { exact: true }).waitFor();
    assert.equal(await page.locator('.event-list img, .event-list b, .event-list a').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
    await page.close();
  });

  it('after a 1012 close, reconnects and resumes after the last event id: nothing lost, nothing twice', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    const routes: WebSocketRoute[] = [];
    const joins: Array<Record<string, unknown>> = [];
    const eventIds: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reconnecting!: () => void;
    const reconnected = new Promise<void>((resolve) => (reconnecting = resolve));
    // A pass-through to the relay that records frames and holds the second connection until released.
    await page.routeWebSocket(/\/ws$/, async (ws) => {
      routes.push(ws);
      if (routes.length > 1) {
        reconnecting();
        await released;
      }
      const relay = ws.connectToServer();
      ws.onMessage((message) => {
        joins.push(JSON.parse(String(message)) as Record<string, unknown>);
        relay.send(message);
      });
      relay.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string; id?: string };
        if (frame.type === 'event' && frame.id) eventIds.push(frame.id);
        ws.send(message);
      });
    });
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Connect and join' }).click();
    await page.getByRole('status').filter({ hasText: 'Joined' }).waitFor();
    const conversation = await page.getByLabel('Conversation').inputValue();
    await postAll(server.url, conversation);
    await group(page, 'conversation-lifecycle-event').getByText('Conversation finished', { exact: true }).waitFor();
    const lastBeforeClose = eventIds.at(-1);

    await routes[0].close({ code: 1012, reason: 'service restart: reconnect' });
    await reconnected;
    await postAll(server.url, conversation); // published while the desktop is away
    release();

    await page.getByRole('status').filter({ hasText: `(${sampleDeliveries(conversation).length} replayed)` }).waitFor();
    const resume = joins.filter((frame) => frame.type === 'join').at(-1);
    assert.equal(resume?.after, lastBeforeClose);
    await group(page, 'conversation-lifecycle-event').locator('[data-count]').filter({ hasText: '4' }).waitFor();
    assert.deepEqual([await count(page, 'new-message-event'), await count(page, 'human-agent-assistant-event')], ['4', '2']);
    const ids = await page.locator('.card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-event-id')));
    assert.equal(new Set(ids).size, ids.length, 'no event rendered twice');
    await page.close();
  });
});
