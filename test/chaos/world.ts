/**
 * The chaos suite's world: a Redis with persistence, the event function and two relay containers as
 * real processes on loopback, and desktops that resume after every reconnect. A scenario runs steady
 * traffic, injects its fault, then waits for every desktop to catch up and counts what was lost,
 * repeated or reordered.
 */
import { signToken, type JwtSettings } from '../../src/auth/jwt';
import { loadJwtSettings } from '../../src/auth/jwt-config';
import { freePort } from '../helpers/ports';
import { RedisServer } from '../helpers/redis-server';
import { ClientDesktop } from './client-desktop';
import { ChaosDesktop } from './desktop';
import { ServiceProcess } from './processes';
import { Traffic } from './traffic';

const SECRET = 'chaos-secret-that-is-long-enough-0123456789';
const PROJECT = 'chaos-project';

export interface ChaosOptions {
  readonly desktops: number;
  readonly conversations: number;
  /** Events per second posted to the event route. */
  readonly perSecond: number;
  /** Seconds of traffic before the fault and after it. */
  readonly settleSeconds: number;
}

export interface ScenarioReport {
  readonly scenario: string;
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicatedOnConnection: number;
  readonly duplicatedAcrossReconnects: number;
  readonly outOfOrder: number;
  readonly reconnects: number;
  readonly retriedPosts: number;
  readonly seconds: number;
}

export type Fault = (world: ChaosWorld) => Promise<void>;

type Desktop = ChaosDesktop | ClientDesktop;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosWorld {
  private constructor(
    readonly redis: RedisServer,
    readonly events: ServiceProcess,
    readonly relays: readonly ServiceProcess[],
    private readonly jwt: JwtSettings,
    readonly options: ChaosOptions,
  ) {}

  static async start(options: ChaosOptions): Promise<ChaosWorld> {
    // Every write reaches the disk before Redis answers, so a killed Redis loses nothing it acknowledged.
    const redis = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    const common = {
      REDIS_URL: redis.url,
      REDIS_CONNECT_WAIT_MS: '300',
      GCP_PROJECT_ID: PROJECT,
      JWT_SECRET: SECRET,
      HISTORY_MAX_LENGTH: '100000',
      LOG_LEVEL: 'NOTICE',
    };
    const events = new ServiceProcess({
      name: 'event function',
      entry: 'app/stack-main.js',
      port: await freePort(),
      env: { ...common, DEMO_PAGE: 'false' },
      readyMessage: 'stack listening',
    });
    const relays = await Promise.all(
      ['relay A', 'relay B'].map(async (name) => {
        return new ServiceProcess({
          name,
          entry: 'app/relay-main.js',
          port: await freePort(),
          env: { ...common, NODE_ENV: 'production', RELAY_SHUTDOWN_SECONDS: '3', RELAY_HEARTBEAT_SECONDS: '5' },
          readyMessage: 'relay listening',
        });
      }),
    );
    try {
      await Promise.all([events.start(), ...relays.map((relay) => relay.start())]);
    } catch (error) {
      await Promise.all([events.stop('SIGKILL'), ...relays.map((relay) => relay.stop('SIGKILL'))]);
      await redis.destroy();
      throw error;
    }
    const jwt = await loadJwtSettings({ JWT_SECRET: SECRET, GCP_PROJECT_ID: PROJECT, JWT_TOKEN_LIFETIME: '600' });
    return new ChaosWorld(redis, events, relays, jwt, options);
  }

  /** Runs traffic around `fault` and reports what the desktops received. */
  async run(scenario: string, fault: Fault): Promise<ScenarioReport> {
    const { options } = this;
    const started = Date.now();
    const conversations = Array.from({ length: options.conversations }, (_, i) => `projects/${PROJECT}/conversations/${scenario}-${started}-${i}`);
    const urls = (): readonly string[] => this.relays.map((relay) => relay.wsUrl);
    // One agent per desktop, as in a contact center (a relay caps the sockets of one user). Half speak the
    // protocol by hand, so what the relay sends is counted as it is; half use the project's client, as a
    // desktop developer would, so what an application sees is counted too.
    const desktops = Array.from({ length: options.desktops }, (_, i) => {
      const conversation = conversations[i % conversations.length];
      const token = signToken(this.jwt, `chaos-agent-${i}`).token;
      return i % 2 === 0 ? new ChaosDesktop(conversation, urls, token, i / 2) : new ClientDesktop(conversation, urls()[((i - 1) / 2) % 2], token);
    });
    const traffic = new Traffic({ url: () => this.events.url, conversations, perSecond: options.perSecond });
    try {
      await withDeadline(Promise.all(desktops.map((desktop) => desktop.start())), 30_000, () => {
        const waiting = desktops.filter((desktop) => !desktop.joined).length;
        return `${waiting} of ${desktops.length} desktops could not join; relay said: ${this.relays[0].tail(800)}`;
      });
      traffic.start();
      await sleep(options.settleSeconds * 1000);
      await fault(this);
      await sleep(options.settleSeconds * 1000);
      await traffic.stop().catch((error: unknown) => {
        throw new Error(`${String(error)}\nevent function said: ${this.events.tail(1500)}`);
      });
      await this.caughtUp(desktops, traffic, 30_000);
      return report(scenario, desktops, traffic, (Date.now() - started) / 1000);
    } finally {
      traffic.abort();
      for (const desktop of desktops) desktop.stop();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.events.stop('SIGKILL'), ...this.relays.map((relay) => relay.stop('SIGKILL'))]);
    await this.redis.destroy();
  }

  /** Waits until every desktop has every acknowledged message of its conversation (or the time is up). */
  private async caughtUp(desktops: readonly Desktop[], traffic: Traffic, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const missing = (): number =>
      desktops.reduce((sum, desktop) => {
        let n = 0;
        for (const id of traffic.accepted.get(desktop.conversation) ?? []) if (!desktop.seen.has(id)) n += 1;
        return sum + n;
      }, 0);
    while (missing() > 0 && Date.now() < deadline) await sleep(100);
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(describe())), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function report(scenario: string, desktops: readonly Desktop[], traffic: Traffic, seconds: number): ScenarioReport {
  let expected = 0;
  let lost = 0;
  const sum = (key: keyof Desktop['counts']): number => desktops.reduce((n, d) => n + d.counts[key], 0);
  for (const desktop of desktops) {
    const accepted = traffic.accepted.get(desktop.conversation) ?? new Set<string>();
    expected += accepted.size;
    for (const id of accepted) if (!desktop.seen.has(id)) lost += 1;
  }
  return {
    scenario,
    expected,
    delivered: sum('delivered'),
    lost,
    duplicatedOnConnection: sum('duplicatedOnConnection'),
    duplicatedAcrossReconnects: sum('duplicatedAcrossReconnects'),
    outOfOrder: sum('outOfOrder'),
    reconnects: sum('reconnects'),
    retriedPosts: traffic.retries,
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** True when nothing was lost, repeated or reordered. */
export function clean(report: ScenarioReport): boolean {
  return report.lost === 0 && report.duplicatedOnConnection === 0 && report.duplicatedAcrossReconnects === 0 && report.outOfOrder === 0 && report.delivered === report.expected;
}

/** Redis killed and started again on the same port and data, `times` times. */
export function redisRestarts(times: number, downMs = 3000): Fault {
  return async (world) => {
    for (let i = 0; i < times; i += 1) {
      await world.redis.stop();
      await sleep(downMs);
      await world.redis.start();
      if (i + 1 < times) await sleep(world.options.settleSeconds * 1000);
    }
  };
}

/** One relay stopped with `signal` while the other serves, then started again on its port. */
export function relayRestart(index: number, signal: NodeJS.Signals, downMs = 1000): Fault {
  return async (world) => {
    await world.relays[index].stop(signal);
    await sleep(downMs);
    await world.relays[index].start();
  };
}
