/**
 * The production broker on Redis (one node, or a Cluster).
 *
 * Layout (all keys of one conversation share the hash tag `{projects/P/conversations/C}`, so the publish
 * script touches a single slot on a Cluster):
 * - `aa:{conv}:h`: the history, a Stream trimmed to `historyMaxLength`, expiring `historyTtlSeconds`
 *   after the last event; each entry has one field `e`, the serialized record.
 * - `aa:{conv}:c`: the live channel (sharded pub/sub on a Cluster); a message is `<id> <prevId> <record>`,
 *   where `prevId` is the id of the entry before it (empty for the first), so a relay can tell a gap.
 * - `aa:{conv}:l`: the id of the newest entry, kept beside the stream with the same expiry.
 * - `aa:{conv}:d:<type>:<messageId>`: the dedupe marker, expiring after `dedupeTtlSeconds`.
 */
import type { RedisClientType, RedisClusterType } from '@redis/client';
import { createHash } from 'node:crypto';
import { parseRecord, serializeRecord, type EventRecord, type StoredEvent } from './event';
import type { Logger } from '../log';
import type { RedisConnection } from '../redis/connection';
import {
  HISTORY_READ_LIMIT,
  type Broker,
  type BrokerLimits,
  type EventListener,
  type PublishResult,
  type Subscription,
} from './broker';

/**
 * Dedupe, append and publish in one step: no relay sees an event that history lacks, or the reverse.
 * Exported so the benchmark's bare reference runs the very same script.
 */
export const PUBLISH_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
local prev = redis.call('GET', KEYS[4]) or ''
local id = redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], '*', 'e', ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[4], id, 'EX', ARGV[3])
redis.call(ARGV[5], KEYS[3], id .. ' ' .. prev .. ' ' .. ARGV[4])
return id
`;
const PUBLISH_SHA = createHash('sha1').update(PUBLISH_SCRIPT).digest('hex');

export function historyKey(conversation: string): string {
  return `aa:{${conversation}}:h`;
}

export function channelKey(conversation: string): string {
  return `aa:{${conversation}}:c`;
}

export function lastIdKey(conversation: string): string {
  return `aa:{${conversation}}:l`;
}

/**
 * Reads a channel message: `<id> <prevId> <record>`, or `<id> <record>` from a publisher that predates
 * `prevId` (the record is JSON, so it starts with `{`).
 */
export function parseChannelMessage(message: string): StoredEvent | undefined {
  const space = message.indexOf(' ');
  if (space <= 0) return undefined;
  // The ids are views into the message (V8 slices rather than copies): nothing keeps them past the
  // event, since the relay holds the ids it gave as numbers (src/relay/given-ids.ts).
  const id = message.slice(0, space);
  if (message.charCodeAt(space + 1) === 0x7b /* { */) return parseRecord(id, message.slice(space + 1));
  const second = message.indexOf(' ', space + 1);
  if (second < 0) return undefined;
  return parseRecord(id, message.slice(second + 1), message.slice(space + 1, second));
}

/** The publish script's reply: the new event's id, or nil for a delivery already published. */
function publishResult(reply: unknown): PublishResult {
  if (reply === null || reply === undefined) return { duplicate: true };
  return { id: String(reply), duplicate: false };
}

export function dedupeKey(record: Pick<EventRecord, 'conversation' | 'type' | 'messageId'>): string {
  return `aa:{${record.conversation}}:d:${record.type}:${record.messageId}`;
}

type Subscriber = RedisClientType | RedisClusterType;

export class RedisBroker implements Broker {
  private subscriber?: Promise<Subscriber>;
  private readonly resubscribed = new Set<() => void>();
  private backfillTimers: NodeJS.Timeout[] = [];
  // The limits as the publish script takes them, converted once.
  private readonly dedupeTtl: string;
  private readonly historyLength: string;
  private readonly historyTtl: string;

  constructor(
    private readonly redis: RedisConnection,
    limits: BrokerLimits,
    private readonly log: Logger,
  ) {
    this.dedupeTtl = String(limits.dedupeTtlSeconds);
    this.historyLength = String(limits.historyMaxLength);
    this.historyTtl = String(limits.historyTtlSeconds);
  }

  publish(record: EventRecord): Promise<PublishResult> {
    const { conversation } = record;
    const dedupe = dedupeKey(record);
    // EVALSHA sha numkeys KEYS… ARGV…: the script by its hash, sent by EVAL only when Redis lacks it.
    const command = [
      'EVALSHA',
      PUBLISH_SHA,
      '4',
      dedupe,
      historyKey(conversation),
      channelKey(conversation),
      lastIdKey(conversation),
      this.dedupeTtl,
      this.historyLength,
      this.historyTtl,
      serializeRecord(record),
      this.redis.isCluster ? 'SPUBLISH' : 'PUBLISH',
    ];
    return this.redis.send(dedupe, command, publishResult, (error) => {
      if (!error.message.startsWith('NOSCRIPT')) throw error;
      command[0] = 'EVAL';
      command[1] = PUBLISH_SCRIPT;
      return this.redis.send(dedupe, command, publishResult);
    });
  }

  async subscribe(conversation: string, listener: EventListener): Promise<Subscription> {
    const sub = await this.connectSubscriber();
    const channel = channelKey(conversation);
    const onMessage = (message: string): void => {
      const event = parseChannelMessage(message);
      if (event) listener(event);
      else this.log.error('unreadable event on channel', { conversation });
    };
    if (this.redis.isCluster) await (sub as RedisClusterType).sSubscribe(channel, onMessage);
    else await (sub as RedisClientType).subscribe(channel, onMessage);
    return {
      unsubscribe: async () => {
        if (this.redis.isCluster) await (sub as RedisClusterType).sUnsubscribe(channel, onMessage);
        else await (sub as RedisClientType).unsubscribe(channel, onMessage);
      },
    };
  }

  async history(conversation: string, after?: string, limit = HISTORY_READ_LIMIT): Promise<StoredEvent[]> {
    const entries = await this.redis.run((redis) =>
      redis.xRange(historyKey(conversation), after === undefined ? '-' : `(${after}`, '+', { COUNT: limit }),
    );
    const events: StoredEvent[] = [];
    for (const entry of entries) {
      const event = parseRecord(entry.id, String(entry.message.e));
      if (event) events.push(event);
    }
    return events;
  }

  onResubscribed(listener: () => void): void {
    this.resubscribed.add(listener);
  }

  async ping(): Promise<void> {
    await this.redis.run((redis) => redis.ping());
  }

  async close(): Promise<void> {
    for (const timer of this.backfillTimers) clearTimeout(timer);
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) {
      const client = await sub.catch(() => undefined);
      if (client) await client.close().catch(() => client.destroy());
    }
  }

  private connectSubscriber(): Promise<Subscriber> {
    if (!this.subscriber) {
      this.subscriber = this.redis.subscriber().then((sub) => {
        this.watchReconnects(sub);
        return sub;
      });
      this.subscriber.catch(() => (this.subscriber = undefined));
    }
    return this.subscriber;
  }

  /**
   * A single node's client resubscribes before it emits `ready` again, so one backfill then closes
   * the gap. A Cluster reports only that a shard is reconnecting; its resubscription is not observable,
   * so backfills follow at growing intervals (each is cheap and idempotent for the relay).
   */
  private watchReconnects(sub: Subscriber): void {
    const notify = (): void => {
      for (const listener of this.resubscribed) listener();
    };
    if (!this.redis.isCluster) {
      let lost = false;
      sub.on('error', () => (lost = true));
      sub.on('ready', () => {
        if (!lost) return;
        lost = false;
        notify();
      });
      return;
    }
    sub.on('node-reconnecting', () => {
      for (const timer of this.backfillTimers) clearTimeout(timer);
      this.backfillTimers = [1000, 3000, 10000, 30000].map((ms) => setTimeout(notify, ms).unref());
    });
  }
}
