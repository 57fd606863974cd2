/** Where the proxy sends a call, and the proxy's settings: pure functions, no network. */
import assert from 'node:assert/strict';
import { ConfigError } from '../src/config/settings';
import { ALLOWLIST, matchProxyRoute } from '../src/proxy/allowlist';
import { loadProxyConfig } from '../src/proxy/config';
import { dialogflowBaseUrl, tokenProviderFor, upstreamUrl } from '../src/proxy/upstream';

describe('dialogflow proxy upstream', () => {
  it('sends global calls to the global endpoint and others to the regional one', () => {
    assert.equal(dialogflowBaseUrl('global'), 'https://dialogflow.googleapis.com');
    assert.equal(dialogflowBaseUrl('us-central1'), 'https://us-central1-dialogflow.googleapis.com');
    assert.equal(dialogflowBaseUrl('europe-west2', 'http://127.0.0.1:9'), 'http://127.0.0.1:9');
  });

  it('builds the upstream URL from the checked path, query kept', () => {
    const target = matchProxyRoute('GET', '/v2beta1/projects/p-1/locations/asia-northeast1/conversations/c%3A1/messages?pageSize=5&filter=a%20b');
    assert.ok(target);
    assert.equal(
      upstreamUrl(target).href,
      'https://asia-northeast1-dialogflow.googleapis.com/v2beta1/projects/p-1/locations/asia-northeast1/conversations/c:1/messages?pageSize=5&filter=a%20b',
    );
    const global = matchProxyRoute('PATCH', '/v2/projects/p-1/locations/global/answerRecords/a-1');
    assert.equal(upstreamUrl(global!).host, 'dialogflow.googleapis.com');
  });

  it('lists exactly the Python original’s routes', () => {
    assert.deepEqual([...ALLOWLIST].sort(), [
      'GET conversationModels/**',
      'GET conversationProfiles/**',
      'GET conversations/**',
      'GET generators/**',
      'PATCH answerRecords/**',
      'PATCH conversations/**',
      'POST conversations',
      'POST conversations/**',
      'POST statelessSuggestion:generate',
      'POST suggestions:searchKnowledge',
    ]);
  });

  it('accepts any API version segment and no other first segment', () => {
    for (const version of ['v2', 'v2beta1', 'v3alpha1', 'v3']) {
      assert.ok(matchProxyRoute('GET', `/${version}/projects/p-1/locations/global/conversations/c`), version);
    }
    for (const version of ['2', 'version', 'v2/..', 'V2', 'v2beta1x', '']) {
      assert.equal(matchProxyRoute('GET', `/${version}/projects/p-1/locations/global/conversations/c`), undefined, version);
    }
  });

  it('marks only POST …:complete as complete', () => {
    assert.equal(matchProxyRoute('POST', '/v2/projects/p-1/locations/global/conversations/c:complete')?.complete, true);
    assert.equal(matchProxyRoute('POST', '/v2/projects/p-1/locations/global/conversations/c/participants')?.complete, false);
  });

  it('reads its settings, refusing a base URL with a path or another scheme', () => {
    assert.deepEqual(loadProxyConfig({}), { baseUrl: undefined, timeoutMs: 30_000, accessToken: undefined });
    assert.equal(loadProxyConfig({ DIALOGFLOW_API_BASE_URL: 'http://127.0.0.1:8085', DIALOGFLOW_PROXY_TIMEOUT_SECONDS: '5' }).timeoutMs, 5_000);
    assert.throws(
      () => loadProxyConfig({ DIALOGFLOW_API_BASE_URL: 'ftp://x', DIALOGFLOW_PROXY_TIMEOUT_SECONDS: '0' }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2,
    );
    assert.throws(() => loadProxyConfig({ DIALOGFLOW_API_BASE_URL: 'https://example.com/v2' }), ConfigError);
  });

  it('uses a configured fixed access token instead of ADC', async () => {
    assert.equal(await tokenProviderFor({ accessToken: 'ya29.local' })(), 'ya29.local');
  });
});
