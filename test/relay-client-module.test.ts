/**
 * `/relay-client.js`: the browser build of the client, served by the relay container and the local stack
 * with its version in its header, cacheable, loadable from any origin; and the very bytes served work:
 * imported as an ES module in Node with `ws`, they receive events from the relay.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { VERSION } from '../src/client/relay-client';
import type * as ClientModule from '../src/client/relay-client';
import { createHttpApp } from '../src/http/app';
import { createLogger } from '../src/log';
import { CLIENT_MODULE_PATH, clientModuleRoute } from '../src/relay/client-module';
import { nextMessageId, pushEnvelope } from './helpers/events';
import { TEST_PROJECT, postEvent, startServer, type RunningServer } from './helpers/stack';

const ROOT = join(__dirname, '..', '..');
// tsc turns import() into require() for CommonJS output; an ES module needs the real thing.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

describe('/relay-client.js', function () {
  this.timeout(30_000);
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const [where, options] of [
    ['the relay container', { local: false, mountFunctions: false }],
    ['the local stack', { local: true, mountFunctions: true }],
  ] as const) {
    it(`${where} serves it with its version, cacheable, to any origin`, async () => {
      server = await startServer({}, options);
      const response = await fetch(`${server.url}/relay-client.js`, { headers: { Origin: 'https://desktop.example.com' } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=3600');
      assert.equal(response.headers.get('x-relay-client-version'), VERSION);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const body = await response.text();
      assert.ok(body.startsWith(`/*! relay-client.js ${VERSION} · native protocol aa-relay.v1`), body.slice(0, 100));
      assert.match(body, /^export \{[^}]*\bRelayClient\b/m);
      assert.doesNotMatch(body, /\brequire\(|\bprocess\.|\bBuffer\b/, 'nothing from Node in the browser build');

      const etag = response.headers.get('etag')!;
      assert.match(etag, /^"[\w-]{22}"$/);
      const again = await fetch(`${server.url}/relay-client.js`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      const pinned = await fetch(`${server.url}/relay-client.js?v=${VERSION}`);
      assert.equal(pinned.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      await pinned.arrayBuffer();
    });
  }

  it('answers 404 with the reason when the module was not built', async () => {
    const app = createHttpApp({ routes: [clientModuleRoute(join(tmpdir(), 'no-such-dir', 'relay-client.js'))], bodyLimitBytes: 1024, log: createLogger('test') });
    const http = app.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const response = await fetch(`http://127.0.0.1:${(http.address() as { port: number }).port}/relay-client.js`);
      assert.equal(response.status, 404);
      assert.match(((await response.json()) as { error: string }).error, /not built/);
    } finally {
      http.close();
    }
  });

  it('the served module, imported as an ES module in Node with ws, receives events', async () => {
    server = await startServer();
    const dir = mkdtempSync(join(tmpdir(), 'aa-client-'));
    try {
      const file = join(dir, 'relay-client.mjs');
      writeFileSync(file, await (await fetch(`${server.url}/relay-client.js`)).text());
      const served = (await importModule(pathToFileURL(file).href)) as typeof ClientModule;
      assert.equal(served.VERSION, VERSION);
      const client = new served.RelayClient({ url: server.wsUrl, getToken: () => server!.token(), WebSocket });
      try {
        const name = `projects/${TEST_PROJECT}/conversations/module-${process.pid}`;
        const sub = client.subscribe(name);
        const received = new Promise<ClientModule.RelayEvent>((resolve) => sub.on('event', resolve));
        await new Promise<void>((resolve) => sub.on('joined', () => resolve()));
        const messageId = nextMessageId();
        assert.equal(await postEvent(server.url, '/human-agent-assistant-event', pushEnvelope({ conversation: name, suggestionResults: [{ suggestArticlesResponse: { articleAnswers: [{ title: 'Refunds' }] } }] }, { messageId })), 204);
        const event = await received;
        assert.equal(event.messageId, messageId);
        assert.equal(event.dataType, 'human-agent-assistant-event');
        if (event.dataType === 'human-agent-assistant-event') assert.equal(event.data.suggestionResults?.[0].suggestArticlesResponse?.articleAnswers?.[0].title, 'Refunds');
      } finally {
        client.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is built into dist/src, which the Dockerfile builds and ships', () => {
    assert.ok(CLIENT_MODULE_PATH.startsWith(join(ROOT, 'dist', 'src')), CLIENT_MODULE_PATH);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^RUN npx tsc -p tsconfig\.json && node scripts\/build-client\.mjs$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/dist\/src \.\/dist\/src$/m);
    assert.match(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.build as string, /node scripts\/build-client\.mjs/);
  });
});
