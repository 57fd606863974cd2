/**
 * The join decision on its own, with a controlled clock: the cache's time to live, 0 disabling it, two
 * joins in flight sharing one question, and the ERROR of a failing module at most once a minute.
 */
import assert from 'node:assert/strict';
import { ConversationAccess } from '../src/access/access';
import { loadAccessConfig } from '../src/access/config';
import type { CanJoin } from '../src/access/module';
import { signToken, type TokenClaims } from '../src/auth/jwt';
import { parseConversationName, type ConversationName } from '../src/conversation';
import { createLogger } from '../src/log';
import { JWT } from './helpers/desktop-requests';
import { capturedLogs, clearLogs } from './setup';

const claims = (user: string): TokenClaims => signToken(JWT, user).claims;
const name = (id: string): ConversationName => parseConversationName(`projects/${JWT.projectId}/conversations/${id}`)!;

describe('conversation access decision', () => {
  let now: number;
  let asked: string[];
  let answer: (conversation: string) => Promise<unknown>;
  const canJoin: CanJoin = (who, conversation) => {
    asked.push(`${who.user} ${conversation}`);
    return answer(conversation);
  };
  const access = (cacheSeconds: number, timeoutMs = 1_000) =>
    new ConversationAccess({ log: createLogger('access-test'), canJoin, cacheSeconds, timeoutMs, now: () => now });

  beforeEach(() => {
    now = 1_000_000;
    asked = [];
    answer = async (conversation) => conversation.endsWith('/yes');
  });

  it('keeps an answer for the TTL, then asks again', async () => {
    const decide = access(30);
    assert.deepEqual(await decide.decide(claims('a'), name('yes')), { allowed: true });
    now += 29_999;
    await decide.decide(claims('a'), name('yes'));
    assert.equal(asked.length, 1);
    now += 1;
    await decide.decide(claims('a'), name('yes'));
    assert.equal(asked.length, 2);
  });

  it('with a TTL of 0 asks on every join', async () => {
    const decide = access(0);
    for (let i = 0; i < 3; i++) assert.equal((await decide.decide(claims('a'), name('no'))).allowed, false);
    assert.equal(asked.length, 3);
  });

  it('two joins in flight share one question', async () => {
    let release!: (value: boolean) => void;
    answer = () => new Promise((resolve) => (release = resolve));
    const decide = access(30);
    const both = Promise.all([decide.decide(claims('a'), name('x')), decide.decide(claims('a'), name('x'))]);
    await Promise.resolve();
    release(true);
    assert.deepEqual(await both, [{ allowed: true }, { allowed: true }]);
    assert.equal(asked.length, 1);
  });

  it('refuses another project before asking the module', async () => {
    const decide = access(30);
    const other = parseConversationName('projects/other/locations/global/conversations/yes')!;
    assert.deepEqual(await decide.decide(claims('a'), other), { allowed: false, code: 'forbidden', message: 'project not allowed for this token' });
    assert.equal(asked.length, 0);
  });

  it('logs a failing module as ERROR at most once a minute, counting what it held back', async () => {
    answer = async () => {
      throw new Error('down');
    };
    const decide = access(30);
    clearLogs();
    for (let i = 0; i < 3; i++) {
      assert.equal((await decide.decide(claims('a'), name(`c${i}`))).allowed, false);
      now += 10_000;
    }
    now += 30_000; // a minute after the first
    assert.deepEqual(await decide.decide(claims('a'), name('c9')), { allowed: false, code: 'unavailable', message: 'access check unavailable; retry' });
    const errors = capturedLogs().filter((line) => line.message === 'conversation access check failed; joins refused');
    assert.deepEqual(errors.map((line) => [line.severity, line.suppressedSinceLast]), [['ERROR', 0], ['ERROR', 2]]);
  });

  it('reads its settings with their defaults', () => {
    assert.deepEqual({ ...loadAccessConfig({}) }, { mode: 'project', modulePath: undefined, cacheSeconds: 30, timeoutMs: 2000 });
    assert.equal(loadAccessConfig({ CONVERSATION_ACCESS: 'Custom', CONVERSATION_ACCESS_MODULE: 'x.js', CONVERSATION_ACCESS_CACHE_SECONDS: '0' }).cacheSeconds, 0);
  });
});
