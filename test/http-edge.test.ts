/**
 * The one HTTP edge: dependencies resolved and errors mapped once (UnavailableError → 503 with
 * Retry-After, a bad request → its 4xx, anything else → 500 without internals), one method check.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { UnavailableError } from '../src/errors';
import { createHttpApp } from '../src/http/app';
import { allowMethods, answerError, BadRequestError, outsideRequestDomain, resolveDeps } from '../src/http/edge';
import { createLogger } from '../src/log';
import { listen, rawRequest } from './helpers/desktop-requests';

describe('HTTP edge', () => {
  let server: Server;
  let base: string;

  before(async () => {
    const failing = (error: unknown) => () => Promise.reject(error);
    const app = createHttpApp({
      log: createLogger('test-edge'),
      bodyLimitBytes: 1024,
      routes: [
        { method: 'all', path: '/post-only', handler: async (req, res) => void (allowMethods(req, res, ['POST']) && res.status(200).json({ ok: true })) },
        { method: 'all', path: '/deps/down', handler: async (_req, res) => void (await resolveDeps(failing(new UnavailableError('redis down at 10.0.0.3')), res)) },
        { method: 'all', path: '/deps/broken', handler: async (_req, res) => void (await resolveDeps(failing(new Error('secret /etc/key unreadable')), res)) },
        { method: 'all', path: '/error/bad', handler: async (_req, res) => answerError(res, new BadRequestError(413, 'body too large')) },
        { method: 'all', path: '/error/fault', handler: async (_req, res) => answerError(res, new TypeError('x is undefined at /srv/app.js:3')) },
      ],
    });
    server = createServer(app);
    base = await listen(server);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers another method with 405 and Allow', async () => {
    const res = await rawRequest(base, 'GET', '/post-only');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    assert.equal((await rawRequest(base, 'POST', '/post-only')).status, 200);
  });

  it('unavailable dependencies are 503 with Retry-After; unbuildable ones 500; neither says why', async () => {
    const down = await rawRequest(base, 'POST', '/deps/down');
    assert.equal(down.status, 503);
    assert.match(String(down.headers['retry-after']), /^\d+$/);
    const broken = await rawRequest(base, 'POST', '/deps/broken');
    assert.equal(broken.status, 500);
    assert.equal(broken.headers['retry-after'], undefined);
    assert.doesNotMatch(down.body + broken.body, /10\.0\.0\.3|\/etc\/key/);
  });

  it('a bad request is its 4xx with its message; a fault is 500 without internals', async () => {
    const bad = await rawRequest(base, 'POST', '/error/bad');
    assert.equal(bad.status, 413);
    assert.deepEqual(JSON.parse(bad.body), { error: 'body too large' });
    const fault = await rawRequest(base, 'POST', '/error/fault');
    assert.equal(fault.status, 500);
    assert.deepEqual(JSON.parse(fault.body), { error: 'internal error' });
  });
});

describe('outsideRequestDomain', () => {
  /** node:domain leaves `null` or `undefined` when no domain is active. */
  const noDomain = (value: unknown): boolean => value === null || value === undefined;

  it('runs its function with no domain and enters the domain again, after a return and after a throw', async () => {
    const { create } = await import('node:domain');
    const requestDomain = create();
    const caught: unknown[] = [];
    requestDomain.on('error', (error: unknown) => caught.push(error));
    const current = (): unknown => (process as { domain?: unknown }).domain;
    requestDomain.run(() => {
      assert.equal(current(), requestDomain);
      assert.ok(noDomain(outsideRequestDomain(() => current())));
      assert.equal(current(), requestDomain);
      assert.throws(() => outsideRequestDomain(() => { throw new Error('sync fault'); }), /sync fault/);
      assert.equal(current(), requestDomain);
      // Exiting it once more leaves no domain: it was entered exactly once again, not twice.
      requestDomain.exit();
      assert.ok(noDomain(current()));
      requestDomain.enter();
    });
    assert.ok(noDomain(current()));
    assert.equal(outsideRequestDomain(() => 7), 7);
    assert.deepEqual(caught, []);
  });
});
