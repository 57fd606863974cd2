/**
 * What a relay in production keeps closed: at most RELAY_MAX_SOCKETS_PER_USER sockets per user (both
 * protocols, real `ws` and socket.io-client), `/metrics` only for the METRICS_TOKEN bearer, and a WARNING
 * at a production `npm start` whose event routes anyone may post to.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { ConfigError } from '../src/config/settings';
import { loadRelayConfig } from '../src/relay/config';
import { freePort } from './helpers/ports';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, startServer, TEST_PROJECT, TEST_SECRET, type RunningServer } from './helpers/stack';

/** The HTTP status an upgrade is answered with (101 when the socket opens; it is then kept open). */
function upgrade(url: string, token: string): Promise<{ status: number; body: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    ws.once('unexpected-response', (request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      request.on('error', () => undefined);
    });
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** Retries `attempt` until it returns true (a server-side close has no event a client can await), bounded. */
async function eventually(attempt: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await attempt())) {
    assert.ok(Date.now() < deadline, 'condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('relay exposure in production', function () {
  this.timeout(30_000);

  describe('RELAY_MAX_SOCKETS_PER_USER', () => {
    let server: RunningServer;
    const open: Array<() => void> = [];
    before(async () => {
      server = await startServer({ RELAY_MAX_SOCKETS_PER_USER: '3' }, { mountFunctions: false });
    });
    afterEach(() => {
      for (const close of open.splice(0)) close();
    });
    after(() => server?.close());

    it('refuses the next native socket of a user with 429 before the upgrade; other users are not affected', async () => {
      const token = server.token('busy-agent');
      for (let i = 0; i < 3; i++) {
        const { status, ws } = await upgrade(server.wsUrl, token);
        assert.equal(status, 101);
        open.push(() => ws?.close());
      }
      const refused = await upgrade(server.wsUrl, token);
      assert.equal(refused.status, 429);
      assert.deepEqual(JSON.parse(refused.body), { error: 'at most 3 open sockets per user' });
      const other = await upgrade(server.wsUrl, server.token('another-agent'));
      assert.equal(other.status, 101);
      open.push(() => other.ws?.close());

      // A socket that ends gives its place back.
      open.shift()?.();
      await eventually(async () => {
        const retry = await upgrade(server.wsUrl, token);
        if (retry.ws) open.push(() => retry.ws?.close());
        return retry.status === 101;
      });
      const metric = await server.relay.metrics.socketsRefused.get();
      assert.ok(metric.values.some((v) => v.labels.protocol === 'native' && v.value >= 1));
    });

    it('counts both protocols: a Socket.IO handshake past the limit gets connect_error "too many connections"', async () => {
      const token = server.token('mixed-agent');
      const native = await NativeClient.connect(server.wsUrl, token);
      open.push(() => native.close());
      for (let i = 0; i < 2; i++) {
        const desktop = await SioDesktop.connect(server.url, token);
        open.push(() => desktop.close());
      }
      const refused = SioDesktop.open(server.url, token);
      open.push(() => refused.close());
      const error = await refused.connected().then(
        () => assert.fail('the fourth socket was accepted'),
        (e: Error & { data?: unknown }) => e,
      );
      assert.equal(error.message, 'too many connections');
      assert.deepEqual(error.data, { reason: 'at most 3 open sockets per user' });
      assert.equal((await upgrade(server.wsUrl, token)).status, 429);

      // A Socket.IO desktop that disconnects frees its place for a native socket.
      open.splice(1, 1)[0]();
      await eventually(async () => {
        const retry = await upgrade(server.wsUrl, token);
        if (retry.ws) open.push(() => retry.ws?.close());
        return retry.status === 101;
      });
    });

    it('defaults to 20 sockets per user', async () => {
      assert.equal(loadRelayConfig({}).maxSocketsPerUser, 20);
      const byDefault = await startServer({}, { mountFunctions: false });
      const sockets: WebSocket[] = [];
      try {
        const token = byDefault.token('default-agent');
        for (let i = 0; i < 20; i++) {
          const { status, ws } = await upgrade(byDefault.wsUrl, token);
          assert.equal(status, 101, `socket ${i + 1}`);
          sockets.push(ws!);
        }
        assert.equal((await upgrade(byDefault.wsUrl, token)).status, 429);
      } finally {
        for (const ws of sockets) ws.close();
        await byDefault.close();
      }
    });
  });

  describe('/metrics', () => {
    const scrape = async (server: RunningServer, authorization?: string) => {
      const response = await fetch(`${server.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      return { status: response.status, text: await response.text(), authenticate: response.headers.get('www-authenticate') };
    };

    it('in production without METRICS_TOKEN answers 404', async () => {
      const server = await startServer({}, { mountFunctions: false });
      try {
        assert.equal((await scrape(server)).status, 404);
        assert.equal((await scrape(server, 'Bearer anything')).status, 404);
      } finally {
        await server.close();
      }
    });

    it('in production with METRICS_TOKEN answers only its bearer', async () => {
      const server = await startServer({ METRICS_TOKEN: 'scrape-token-0123456789' }, { mountFunctions: false });
      try {
        const none = await scrape(server);
        assert.deepEqual([none.status, none.authenticate], [401, 'Bearer']);
        assert.ok(!none.text.includes('relay_connections'));
        assert.equal((await scrape(server, 'Bearer scrape-token-012345678')).status, 401);
        assert.equal((await scrape(server, 'scrape-token-0123456789')).status, 401, 'the Bearer scheme is required');
        const good = await scrape(server, 'Bearer scrape-token-0123456789');
        assert.equal(good.status, 200);
        assert.match(good.text, /# TYPE relay_connections gauge/);
      } finally {
        await server.close();
      }
    });

    it('refuses a METRICS_TOKEN too short to be a secret, without echoing it', () => {
      assert.throws(() => loadRelayConfig({ METRICS_TOKEN: 'hunter2' }), (error: unknown) => error instanceof ConfigError && /METRICS_TOKEN must be at least 16 characters/.test(error.message) && !error.message.includes('hunter2'));
    });

    it('in local mode stays open without a token', async () => {
      const server = await startServer({}, { local: true, mountFunctions: false });
      try {
        const open = await scrape(server);
        assert.equal(open.status, 200);
        assert.match(open.text, /relay_joins_refused_total/);
      } finally {
        await server.close();
      }
    });
  });

  describe('a production start of the whole stack (NODE_ENV=production npm start)', () => {
    /** Starts `node dist/src/app/stack-main.js` as `npm start` does, until it listens; returns its log lines. */
    async function startStack(extra: Record<string, string>): Promise<Array<Record<string, unknown>>> {
      const port = await freePort();
      const child = spawn(process.execPath, [require.resolve('../src/app/stack-main')], {
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        await eventually(async () => output.includes('stack listening') || child.exitCode !== null, 15_000);
        assert.ok(output.includes('stack listening'), output);
        return output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      } finally {
        child.kill('SIGKILL');
      }
    }
    const PUSH_WARNING = 'event routes mounted without push authentication: anyone who reaches them can publish events';

    it('warns that anyone can publish events when no push authentication is configured', async () => {
      const lines = await startStack({});
      const warning = lines.find((line) => line.message === PUSH_WARNING);
      assert.ok(warning, JSON.stringify(lines));
      assert.equal(warning.severity, 'WARNING');
      assert.deepEqual(warning.settings, ['PUSH_AUTH_AUDIENCE', 'PUSH_AUTH_SERVICE_ACCOUNTS']);
      // And, without AUTH_OPTION, that every registration is refused.
      assert.ok(lines.some((line) => line.message === 'AUTH_OPTION unset: every registration is refused' && line.severity === 'WARNING'));
    });

    it('does not warn once push authentication is configured', async () => {
      const lines = await startStack({
        PUSH_AUTH_AUDIENCE: 'https://events.example.com',
        PUSH_AUTH_SERVICE_ACCOUNTS: 'pusher@test-project.iam.gserviceaccount.com',
        AUTH_OPTION: 'GenesysCloud',
      });
      assert.ok(!lines.some((line) => line.message === PUSH_WARNING), JSON.stringify(lines));
      assert.ok(!lines.some((line) => line.severity === 'WARNING'), JSON.stringify(lines));
    });
  });
});
