/**
 * The broker contract (src/broker/broker.ts), one suite run against every implementation.
 */
import assert from 'node:assert/strict';
import type { Broker } from '../src/broker/broker';
import type { StoredEvent } from '../src/broker/event';
import { record } from './helpers/events';

export interface BrokerFactory {
  /** A fresh broker with the given limits (all brokers of one suite share a store). */
  create(limits?: Partial<{ historyMaxLength: number; historyTtlSeconds: number; dedupeTtlSeconds: number }>): Promise<Broker>;
}

let sequence = 0;
const conversationName = (): string => `projects/p/conversations/contract-${process.pid}-${Date.now()}-${sequence++}`;

function collector(count: number): { events: StoredEvent[]; done: Promise<StoredEvent[]>; listener: (e: StoredEvent) => void } {
  const events: StoredEvent[] = [];
  let resolve: (value: StoredEvent[]) => void = () => undefined;
  const done = new Promise<StoredEvent[]>((r) => (resolve = r));
  return {
    events,
    done,
    listener: (event) => {
      events.push(event);
      if (events.length === count) resolve(events);
    },
  };
}

export function brokerContract(name: string, factory: BrokerFactory): void {
  describe(`broker contract: ${name}`, () => {
    const brokers: Broker[] = [];
    const make = async (limits?: Parameters<BrokerFactory['create']>[0]): Promise<Broker> => {
      const broker = await factory.create(limits);
      brokers.push(broker);
      return broker;
    };
    afterEach(async () => {
      await Promise.all(brokers.splice(0).map((b) => b.close()));
    });

    it('delivers a published event to every subscriber of its conversation, and to no other', async () => {
      const publisher = await make();
      const a = await make();
      const b = await make();
      const conversation = conversationName();
      const other = conversationName();
      const gotA = collector(1);
      const gotB = collector(1);
      const gotOther = collector(1);
      await a.subscribe(conversation, gotA.listener);
      await b.subscribe(conversation, gotB.listener);
      await a.subscribe(other, gotOther.listener);
      const result = await publisher.publish(record(conversation));
      assert.equal(result.duplicate, false);
      const [eventA] = await gotA.done;
      const [eventB] = await gotB.done;
      assert.equal(eventA.id, result.id);
      assert.equal(eventB.id, result.id);
      assert.equal(eventA.conversation, conversation);
      await publisher.publish(record(conversation));
      await gotA.done;
      assert.equal(gotOther.events.length, 0);
    });

    it('appends to history in publish order with increasing ids, readable after an id', async () => {
      const broker = await make();
      const conversation = conversationName();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await broker.publish(record(conversation, { data: JSON.stringify({ conversation, i }) }))).id!);
      const all = await broker.history(conversation);
      assert.deepEqual(all.map((e) => e.id), ids);
      assert.deepEqual(all.map((e) => JSON.parse(e.data).i), [0, 1, 2, 3, 4]);
      const after = await broker.history(conversation, ids[2]);
      assert.deepEqual(after.map((e) => e.id), ids.slice(3));
      assert.deepEqual(await broker.history(conversation, ids[4]), []);
      assert.deepEqual((await broker.history(conversation, undefined, 2)).map((e) => e.id), ids.slice(0, 2));
    });

    it('publishes a message id once however often it is delivered', async () => {
      const broker = await make();
      const conversation = conversationName();
      const got = collector(2);
      await broker.subscribe(conversation, got.listener);
      const first = record(conversation);
      assert.equal((await broker.publish(first)).duplicate, false);
      assert.deepEqual(await broker.publish(first), { duplicate: true });
      assert.deepEqual(await broker.publish({ ...first, ackTime: new Date().toISOString() }), { duplicate: true });
      await broker.publish(record(conversation));
      const events = await got.done;
      assert.notEqual(events[0].messageId, events[1].messageId);
      assert.equal((await broker.history(conversation)).length, 2);
    });

    it('keeps the same message id of another data type apart', async () => {
      const broker = await make();
      const conversation = conversationName();
      const first = record(conversation, { type: 'new-message-event' });
      await broker.publish(first);
      const other = await broker.publish({ ...first, type: 'conversation-lifecycle-event' });
      assert.equal(other.duplicate, false);
    });

    it('bounds history to the configured length, keeping the newest', async () => {
      const broker = await make({ historyMaxLength: 3 });
      const conversation = conversationName();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await broker.publish(record(conversation))).id!);
      assert.deepEqual((await broker.history(conversation)).map((e) => e.id), ids.slice(3));
    });

    it('stops delivering after unsubscribe, while other subscribers keep receiving', async () => {
      const broker = await make();
      const conversation = conversationName();
      const gone = collector(1);
      const kept = collector(2);
      const subscription = await broker.subscribe(conversation, gone.listener);
      await broker.subscribe(conversation, kept.listener);
      await broker.publish(record(conversation));
      await gone.done;
      await subscription.unsubscribe();
      await broker.publish(record(conversation));
      await kept.done;
      assert.equal(gone.events.length, 1);
    });

    it('keeps the record intact: attributes, times and the notification JSON verbatim', async () => {
      const broker = await make();
      const conversation = conversationName();
      const data = '{"conversation":"' + conversation + '","text":"caf\\u00e9 ✓","n":1.50}';
      const sent = record(conversation, {
        type: 'new-recognition-result-notification-event',
        attributes: { participant_role: 'END_USER', message_id: 'm-7' },
        data,
      });
      const got = collector(1);
      await broker.subscribe(conversation, got.listener);
      await broker.publish(sent);
      const [live] = await got.done;
      const [stored] = await broker.history(conversation);
      for (const event of [live, stored]) {
        assert.equal(event.data, data);
        assert.deepEqual(event.attributes, sent.attributes);
        assert.equal(event.type, sent.type);
        assert.equal(event.messageId, sent.messageId);
        assert.equal(event.publishTime, sent.publishTime);
        assert.equal(event.ackTime, sent.ackTime);
      }
    });
  });
}
