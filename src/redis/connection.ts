/**
 * One lazily created Redis connection per process (a single node or a Cluster), shared by every module
 * that needs Redis. Nothing connects at import time: the first command connects. Commands never queue
 * while Redis is away (the offline queue is off): they fail at once with UnavailableError, so an HTTP
 * caller gets 503 and Pub/Sub retries, instead of a request hanging until its deadline.
 */
import { createClient, createCluster, ErrorReply, type RedisClientType, type RedisClusterType } from '@redis/client';
import { UnavailableError } from '../errors';
import type { Logger } from '../log';

export interface RedisSettings {
  /** `redis://host:port` (or `rediss://`) of a single node; ignored when `clusterNodes` is set. */
  readonly url?: string;
  /** `host:port` of one or more Cluster nodes; the rest are discovered. */
  readonly clusterNodes: readonly string[];
  /** How long the first command waits for the first connection. */
  readonly connectWaitMs: number;
}

/** The commands the project uses; both a single-node client and a cluster client provide them. */
export type RedisCommands = Pick<
  RedisClientType,
  'xRange' | 'get' | 'set' | 'del' | 'expire' | 'ttl' | 'ping' | 'exists' | 'incr'
>;

type AnyClient = RedisClientType | RedisClusterType;

/** Transient replies: the server is there but cannot serve now. */
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY|READONLY)/;

/** What a failed command is to its caller: an error reply as it is, anything else "Redis is unavailable". */
function failure(error: unknown): unknown {
  if (error instanceof ErrorReply && !TRANSIENT_REPLY.test(error.message)) return error;
  return new UnavailableError('redis command failed', { cause: error });
}

export class RedisConnection {
  private client?: AnyClient;
  private connecting?: Promise<void>;
  private down = false;
  /** The cluster's first slot discovery finished (a cluster is "open" before it knows its slots). */
  private discovered = false;

  constructor(
    readonly settings: RedisSettings,
    private readonly log: Logger,
  ) {}

  get isCluster(): boolean {
    return this.settings.clusterNodes.length > 0;
  }

  /** Runs commands, mapping "Redis is not reachable" to UnavailableError. */
  async run<T>(fn: (commands: RedisCommands) => Promise<T>): Promise<T> {
    // A connected client is used at once: no extra async step per command on the hot path.
    const current = this.client;
    const client = current !== undefined && this.isReady(current) ? current : await this.ready();
    try {
      return await fn(client as unknown as RedisCommands);
    } catch (error) {
      throw failure(error);
    }
  }

  /**
   * Sends one command as written (`['EVALSHA', sha, '1', key, …]`; `firstKey` routes it in a Cluster)
   * and hands its reply to `onReply`, creating no promise beyond the client's own and one for the
   * answer. It is the event functions' hot path: under the functions-framework every promise pays for
   * the async hooks of its request domains. `onErrorReply` may answer an error reply from
   * Redis that is not transient (NOSCRIPT, say) instead of failing; everything else fails as `run` fails.
   */
  send<T>(firstKey: string, args: string[], onReply: (reply: unknown) => T, onErrorReply?: (error: ErrorReply) => T | Promise<T>): Promise<T> {
    const current = this.client;
    if (current === undefined || !this.isReady(current)) {
      return this.ready().then((client) => this.sendOn(client, firstKey, args, onReply, onErrorReply));
    }
    return this.sendOn(current, firstKey, args, onReply, onErrorReply);
  }

  private sendOn<T>(client: AnyClient, firstKey: string, args: string[], onReply: (reply: unknown) => T, onErrorReply?: (error: ErrorReply) => T | Promise<T>): Promise<T> {
    let sent: Promise<unknown>;
    try {
      sent = this.isCluster ? (client as RedisClusterType).sendCommand(firstKey, false, args) : (client as RedisClientType).sendCommand(args);
    } catch (error) {
      return Promise.reject(failure(error));
    }
    return sent.then(onReply, (error: unknown) => {
      const failed = failure(error);
      if (onErrorReply && failed instanceof ErrorReply) return onErrorReply(failed);
      throw failed;
    });
  }

  /**
   * A connection for subscriptions (a single node's duplicate, or the cluster itself, which keeps
   * its own per-shard subscriber connections). The caller owns and closes it.
   */
  async subscriber(): Promise<AnyClient> {
    const sub = this.isCluster ? this.create() : (await this.ready() as RedisClientType).duplicate();
    if (!this.isCluster) this.watch(sub, 'subscriber');
    await sub.connect();
    return sub;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    this.discovered = false;
    if (client) await client.close().catch(() => client.destroy());
  }

  private async ready(): Promise<AnyClient> {
    if (!this.client) {
      const client = this.create();
      this.client = client;
      this.connecting = client.connect().then(
        () => {
          this.discovered = true;
        },
        (error: unknown) => this.log.warn('redis connect failed', { error: String(error) }),
      );
    }
    const client = this.client;
    if (this.isReady(client)) return client;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.connectWaitMs)));
    await Promise.race([this.connecting, timeout]).finally(() => clearTimeout(timer));
    if (!this.isReady(client)) throw new UnavailableError('redis is not connected');
    return client;
  }

  private isReady(client: AnyClient): boolean {
    // A cluster is usable once connected; each shard reconnects on its own.
    return this.isCluster ? this.discovered && client.isOpen : (client as RedisClientType).isReady;
  }

  private create(): AnyClient {
    const reconnectStrategy = (retries: number): number => Math.min(50 * 2 ** retries, 2000);
    const socket = { connectTimeout: 5000, reconnectStrategy };
    if (this.isCluster) {
      const cluster = createCluster({
        rootNodes: this.settings.clusterNodes.map((node) => ({ url: `redis://${node}` })),
        defaults: { socket, disableOfflineQueue: true },
      });
      this.watch(cluster, 'cluster');
      return cluster as unknown as AnyClient;
    }
    const client = createClient({ url: this.settings.url, socket, disableOfflineQueue: true });
    this.watch(client, 'client');
    return client as unknown as AnyClient;
  }

  /** Logs state changes once each (not every reconnect attempt), so an outage does not flood the log. */
  private watch(client: AnyClient, role: string): void {
    client.on('error', (error: unknown) => {
      if (this.down) return;
      this.down = true;
      this.log.warn('redis connection lost', { role, error: String(error) });
    });
    client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.log.notice('redis connection restored', { role });
    });
  }
}
