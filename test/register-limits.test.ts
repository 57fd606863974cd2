/**
 * The gate around the providers: successes cached by a hash of the token, failures rate-limited per
 * client address (as the trusted proxies report it), and the Salesforce id comparison.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import sinon from 'sinon';
import { CheckCache, credentialKey } from '../src/register/cache';
import { clientAddress } from '../src/register/client-address';
import { addressBucket, FailureLimiter } from '../src/register/rate-limit';
import { isSalesforceId, sameSalesforceId, toSalesforceId18 } from '../src/register/providers/salesforce-id';
import { post, StandIn, startRegistrationFunctions, type RunningFunctions } from './helpers/stand-ins';

const GOOD = 'genesys-token-good-83c1';

describe('registration gate', () => {
  let genesys: StandIn;
  before(async () => {
    genesys = await StandIn.start((request) =>
      request.headers.authorization === `Bearer ${GOOD}` ? { status: 200, json: { id: 'user-1' } } : { status: 401, json: {} },
    );
  });
  after(() => genesys.stop());
  afterEach(() => sinon.restore());

  async function withFunctions(env: Record<string, string>, test: (fns: RunningFunctions) => Promise<void>): Promise<void> {
    const fns = await startRegistrationFunctions({ AUTH_OPTION: 'GenesysCloud', GENESYS_CLOUD_BASE_URL: genesys.url, ...env });
    try {
      await test(fns);
    } finally {
      await fns.close();
    }
  }

  it('asks the provider once per token within AUTH_CACHE_SECONDS, then again', () =>
    withFunctions({ AUTH_CACHE_SECONDS: '60' }, async (fns) => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      const calls = genesys.requests.length;
      for (let i = 0; i < 3; i++) assert.equal((await post(fns.register, { token: GOOD })).status, 200);
      assert.equal(genesys.requests.length, calls + 1);
      clock.tick(61_000);
      assert.equal((await post(fns.register, { token: `Bearer ${GOOD}` })).status, 200);
      assert.equal(genesys.requests.length, calls + 2);
    }));

  it('never caches a refusal or a provider outage', () =>
    withFunctions({}, async (fns) => {
      const calls = genesys.requests.length;
      for (let i = 0; i < 2; i++) assert.equal((await post(fns.register, { token: 'bad-token' })).status, 401);
      assert.equal(genesys.requests.length, calls + 2);
    }));

  it('answers 429 after AUTH_MAX_FAILURES from one address, without calling the provider', () =>
    withFunctions({ AUTH_MAX_FAILURES: '3', AUTH_FAILURE_WINDOW_SECONDS: '60', AUTH_TRUSTED_PROXY_HOPS: '1' }, async (fns) => {
      const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      // What the trusted proxy appended is the last entry; whatever the client wrote before it is ignored.
      const from = (address: string, spoofed = `198.51.100.${Math.floor(Math.random() * 250)}`) => ({ 'X-Forwarded-For': `${spoofed}, ${address}` });
      for (let i = 0; i < 3; i++) {
        assert.equal((await post(fns.register, { token: `guess-${i}`, headers: from('203.0.113.7') })).status, 401);
      }
      const calls = genesys.requests.length;
      const limited = await post(fns.register, { token: GOOD, headers: from('203.0.113.7') });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '60');
      assert.equal(genesys.requests.length, calls, 'a limited address reaches no provider');
      // Another address is not limited; and once it has a cached success, the limited one is served that.
      assert.equal((await post(fns.register, { token: GOOD, headers: from('203.0.113.8') })).status, 200);
      assert.equal((await post(fns.register, { token: GOOD, headers: from('203.0.113.7') })).status, 200);
      assert.equal((await post(fns.register, { token: 'guess-4', headers: from('203.0.113.7') })).status, 429);
      // Refresh and register-app failures count against the same address.
      assert.equal((await post(`${fns.register}/refresh`, { token: 'Bearer forged', headers: from('203.0.113.7') })).status, 429);
      clock.tick(60_000);
      assert.equal((await post(fns.register, { token: 'guess-5', headers: from('203.0.113.7') })).status, 401);
    }));

  it('hashes credentials for the cache key and bounds the cache', () => {
    const key = credentialKey('GenesysCloud', GOOD);
    assert.equal(key, credentialKey('GenesysCloud', GOOD));
    assert.notEqual(key, credentialKey('Salesforce', GOOD));
    assert.notEqual(credentialKey('T', 'a', 'bc'), credentialKey('T', 'ab', 'c'));
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!key.includes(GOOD));
    const cache = new CheckCache(1000, 2);
    cache.set('a', { subject: 'a' }, 0);
    cache.set('b', { subject: 'b' }, 0);
    cache.set('c', { subject: 'c' }, 0);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 1), undefined);
    assert.equal(cache.get('c', 999)?.subject, 'c');
    assert.equal(cache.get('c', 1000), undefined);
    new CheckCache(0).set('x', {}, 0);
  });

  it('limits failures per window and address bucket', () => {
    const limiter = new FailureLimiter({ maxFailures: 2, windowSeconds: 10, maxAddresses: 3 });
    limiter.fail('2001:db8:1:2:aaaa::1', 0);
    limiter.fail('2001:db8:1:2:bbbb::2', 1000);
    assert.throws(() => limiter.admit('2001:db8:1:2::99', 2000), { name: 'RateLimitedError', retryAfterSeconds: 8 });
    assert.doesNotThrow(() => limiter.admit('2001:db8:1:3::1', 2000));
    assert.doesNotThrow(() => limiter.admit('2001:db8:1:2::99', 10_000));
    assert.equal(addressBucket('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressBucket('2001:0db8:0000:0002:0:0:0:1'), '2001:db8:0:2::/64');
    assert.equal(addressBucket('::1'), '0:0:0:0::/64');
  });

  it('takes the client address the trusted proxies appended', () => {
    const req = (xff: string | undefined, peer = '10.1.1.1') =>
      ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;
    assert.equal(clientAddress(req('1.1.1.1, 2.2.2.2'), 0), '10.1.1.1');
    assert.equal(clientAddress(req('1.1.1.1, 2.2.2.2'), 1), '2.2.2.2');
    assert.equal(clientAddress(req('1.1.1.1, 2.2.2.2, 3.3.3.3'), 2), '2.2.2.2');
    assert.equal(clientAddress(req('2.2.2.2'), 2), '10.1.1.1');
    assert.equal(clientAddress(req(undefined), 1), '10.1.1.1');
  });
});

describe('Salesforce ids', () => {
  const id15 = '00D5g000004AbCd';

  it('computes the 18-character form', () => {
    assert.equal(toSalesforceId18('001000000000000'), '001000000000000AAA');
    // Chunks 00D00 (bit 2: E), 00000 (A), 00ABC (bits 2, 3, 4 = 28: '2').
    assert.equal(toSalesforceId18('00D000000000ABC'), '00D000000000ABCEA2');
    assert.equal(toSalesforceId18(toSalesforceId18(id15)), toSalesforceId18(id15));
  });

  it('matches 15 and 18 characters of one record, in any combination', () => {
    const id18 = toSalesforceId18(id15);
    assert.ok(sameSalesforceId(id15, id18));
    assert.ok(sameSalesforceId(id18, id15));
    assert.ok(sameSalesforceId(id18, id18.slice(0, 15) + id18.slice(15).toLowerCase()));
    assert.ok(sameSalesforceId(id15, id15));
  });

  it('tells apart ids that differ only in case, or carry a forged suffix', () => {
    const twin = '00D5g000004ABCD';
    assert.ok(!sameSalesforceId(id15, twin));
    assert.ok(!sameSalesforceId(toSalesforceId18(id15), toSalesforceId18(twin)));
    assert.ok(!sameSalesforceId(id15, `${twin}${toSalesforceId18(id15).slice(15)}`));
    assert.ok(!isSalesforceId(`${id15}AAA`));
    assert.ok(!isSalesforceId('00D5g000004AbC'));
    assert.ok(!isSalesforceId('00D5g000004AbC!'));
    assert.ok(!sameSalesforceId('', ''));
  });
});
