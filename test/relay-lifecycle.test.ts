/**
 * Relay behaviour at the edges: dead sockets found by heartbeat, slow consumers closed instead of
 * buffering without bound, and a real SIGTERM to the relay container's process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { signToken } from '../src/auth/jwt';
import { loadJwtSettings } from '../src/auth/jwt-config';
import { CLOSE } from '../src/relay/native';
import { nextMessageId, pushEnvelope } from './helpers/events';
import { freePort } from './helpers/ports';
import { RedisServer } from './helpers/redis-server';
import { NativeClient, TEST_PROJECT, TEST_SECRET, postEvent, startServer } from './helpers/stack';

const underlying = (client: NativeClient): Socket => (client.ws as unknown as { _socket: Socket })._socket;

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function gauge(server: Awaited<ReturnType<typeof startServer>>, name: 'connections' | 'slowConsumers'): Promise<number> {
  const metric = await server.relay.metrics[name].get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

describe('relay lifecycle', function () {
  this.timeout(30_000);

  it('terminates a socket that stops answering pings', async () => {
    const server = await startServer({ RELAY_HEARTBEAT_SECONDS: '1' });
    try {
      const client = await NativeClient.connect(server.wsUrl, server.token());
      assert.equal(await gauge(server, 'connections'), 1);
      underlying(client).pause(); // no pong will be read or sent
      await until(async () => (await gauge(server, 'connections')) === 0);
      underlying(client).resume();
      await client.closed();
    } finally {
      await server.close();
    }
  });

  it('closes a slow consumer with 4008 instead of buffering without bound', async () => {
    const server = await startServer({ RELAY_MAX_BUFFERED_BYTES: '65536' });
    try {
      const name = 'projects/test-project/conversations/slow';
      const client = await NativeClient.connect(server.wsUrl, server.token());
      await client.join(name);
      underlying(client).pause();
      const big = 'x'.repeat(200 * 1024);
      for (let i = 0; i < 200 && (await gauge(server, 'slowConsumers')) === 0; i++) {
        assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope({ conversation: name, filler: big })), 204);
      }
      assert.equal(await gauge(server, 'slowConsumers'), 1);
      await until(async () => (await gauge(server, 'connections')) === 0);
      underlying(client).resume();
      const code = await client.closed();
      assert.ok(code === CLOSE.SLOW_CONSUMER || code === 1006, `close code ${code}`);
    } finally {
      await server.close();
    }
  });

  it('on SIGTERM the relay process closes sockets with 1012 and exits 0 within its bound', async function () {
    const redis = await RedisServer.start();
    const port = await freePort();
    const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'app', 'relay-main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT, RELAY_SHUTDOWN_SECONDS: '3', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await until(() => output.includes('relay listening'));
      const jwt = await loadJwtSettings({ JWT_SECRET: TEST_SECRET, GCP_PROJECT_ID: TEST_PROJECT });
      const client = await NativeClient.connect(`ws://127.0.0.1:${port}/ws`, signToken(jwt, 'agent').token);
      await client.join(`projects/${TEST_PROJECT}/conversations/${nextMessageId()}`);
      const started = Date.now();
      child.kill('SIGTERM');
      assert.equal(await client.closed(), CLOSE.SERVICE_RESTART);
      const [code] = (await once(child, 'exit')) as [number];
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 5000);
      for (const line of output.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
    } finally {
      child.kill('SIGKILL');
      await redis.destroy();
    }
  });
});
