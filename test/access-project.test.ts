/**
 * Project binding on the relay: a token of one project cannot join another project's conversation, on
 * the native protocol or on Socket.IO (real `ws` and socket.io-client against real Redis). The refused
 * join gets nothing: no history replayed, no live event, and a WARNING that names the user and both
 * projects and nothing said in the conversation.
 */
import assert from 'node:assert/strict';
import { notification, pushEnvelope } from './helpers/events';
import { forgeries, forgeryNames } from './helpers/forgeries';
import { RedisServer } from './helpers/redis-server';
import { SioDesktop } from './helpers/socketio-client';
import { NativeClient, postEvent, startServer, TEST_PROJECT, type RunningServer } from './helpers/stack';
import { capturedLogs, clearLogs } from './setup';

const OTHER_PROJECT = 'victim-project';
const SECRET_TEXT = 'card number 4111 1111 1111 1111';
let counter = 0;

/** A fresh conversation of `project` (with a location, as Agent Assist names them). */
function conversation(project: string): { name: string; key: string } {
  counter += 1;
  const id = `cross-${process.pid}-${counter}`;
  return { name: `projects/${project}/locations/global/conversations/${id}`, key: `projects/${project}/conversations/${id}` };
}

describe('conversation access: project binding on the relay', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let server: RunningServer;
  const closers: Array<() => void> = [];

  before(async () => {
    redis = await RedisServer.start();
    server = await startServer({ REDIS_URL: redis.url });
  });
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });
  after(async () => {
    await server?.close();
    await redis?.destroy();
  });

  /** Publishes a message to a conversation through the event function (the victim's carry `SECRET_TEXT`). */
  async function publish(name: string): Promise<void> {
    const content = name.includes(OTHER_PROJECT) ? SECRET_TEXT : 'hello';
    const body = { ...notification('new-message-event', name), newMessagePayload: { content } };
    assert.equal(await postEvent(server.url, '/new-message-event', pushEnvelope(body)), 204);
  }

  async function refusals(): Promise<number> {
    const metric = await server.relay.metrics.joinsRefused.get();
    return metric.values.filter((v) => v.labels.code === 'forbidden').reduce((sum, v) => sum + v.value, 0);
  }

  function assertWarned(user: string): void {
    const warnings = capturedLogs().filter((line) => line.message === 'join of another project refused');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    const [warning] = warnings;
    assert.equal(warning.severity, 'WARNING');
    assert.equal(warning.user, user);
    assert.equal(warning.tokenProject, TEST_PROJECT);
    assert.equal(warning.conversationProject, OTHER_PROJECT);
    assert.ok(!JSON.stringify(capturedLogs()).includes(SECRET_TEXT), 'no conversation text in the logs');
  }

  it('native: another project’s conversation answers an error frame `forbidden`, replays and delivers nothing', async () => {
    const victim = conversation(OTHER_PROJECT);
    const own = conversation(TEST_PROJECT);
    await publish(victim.name);
    clearLogs();

    const client = await NativeClient.connect(server.wsUrl, server.token('mallory'));
    closers.push(() => client.close());
    const refused = await client.join(victim.name);
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'forbidden');
    assert.equal(refused.message, 'project not allowed for this token');
    assertWarned('mallory');

    // A live event of the victim, then one of the token's own conversation: once the second has
    // arrived, the first would have too (one relay, one Redis, published in that order).
    assert.equal((await client.join(own.name)).type, 'joined');
    await publish(victim.name);
    await publish(own.name);
    const events = await client.eventCount(1);
    assert.deepEqual(events.map((e) => e.conversation), [own.key]);
    assert.ok(!JSON.stringify(client.frames).includes(SECRET_TEXT));
    // Nothing was subscribed for the victim on this relay; the refusal is counted.
    assert.equal(server.relay.hub.roomCount, 1);
    assert.ok((await refusals()) >= 1);
  });

  it('Socket.IO: another project’s conversation is acknowledged (false, reason), replays and delivers nothing', async () => {
    const victim = conversation(OTHER_PROJECT);
    const own = conversation(TEST_PROJECT);
    await publish(victim.name);
    clearLogs();

    const desktop = await SioDesktop.connect(server.url, server.token('mallory'));
    closers.push(() => desktop.close());
    assert.deepEqual(await desktop.join(victim.name), [false, 'forbidden: project not allowed for this token']);
    assert.deepEqual(await desktop.join(victim.key), [false, 'forbidden: project not allowed for this token']);
    const warnings = capturedLogs().filter((line) => line.message === 'join of another project refused');
    assert.equal(warnings.length, 2);

    assert.deepEqual(await desktop.join(own.name), [true, own.key]);
    await publish(victim.name);
    await publish(own.name);
    await desktop.eventCount(own.key, 1);
    assert.deepEqual(desktop.received.map((r) => r.payload.conversation_name), [own.key]);
    assert.deepEqual(desktop.eventsOf(victim.key), []);
  });

  describe('no forged token reaches a join: every forgery of the table is refused at the Socket.IO handshake', () => {
    for (const name of forgeryNames()) {
      it(name, async () => {
        const forgery = forgeries(server.context.jwt, Date.now(), 'mallory').find((candidate) => candidate.name === name);
        assert.ok(forgery);
        const desktop = SioDesktop.open(server.url, forgery.token);
        closers.push(() => desktop.close());
        const error = await desktop.connected().then(
          () => assert.fail('the forged token was accepted'),
          (e: Error) => e,
        );
        assert.equal(error.message, 'authentication failed');
      });
    }
  });

  it('still joins the token’s own project, by either spelling of the name', async () => {
    const own = conversation(TEST_PROJECT);
    await publish(own.name);
    const client = await NativeClient.connect(server.wsUrl, server.token());
    closers.push(() => client.close());
    const joined = await client.join(own.key);
    assert.equal(joined.type, 'joined');
    assert.equal(joined.replayed, 1);
    const desktop = await SioDesktop.connect(server.url, server.token());
    closers.push(() => desktop.close());
    assert.deepEqual(await desktop.join(own.name), [true, own.key]);
    await desktop.eventCount(own.key, 1);
  });
});
