/**
 * Webhook benchmark: one server process (a child, serving the webhook exactly as the functions-framework
 * serves the deployed function, memory idempotency store) and an open-loop client offering a fixed rate
 * over loopback. Each request has its own responseId, so every one runs the intent handler. The client
 * keeps sending on schedule whatever the server does (open loop), so a stalled server shows up in p99
 * instead of lowering the offered rate; latency runs from each request's actual send, and how late the
 * client itself sent (its timer and event-loop lag, not the server's doing) is reported apart as
 * `clientLagP99Ms`. Target: p99 under 5 ms at 1,000 requests/s.
 *
 * `node dist/bench/webhook.js` prints the result as JSON; `benchWebhook()` returns it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly name: string;
  readonly offeredRps: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** p99 of how late the client sent against its schedule (load-generator noise, not server latency). */
  readonly clientLagP99Ms?: number;
}

export interface WebhookBenchOptions {
  /** Requests per second offered (default 1000). */
  readonly rate?: number;
  /** Seconds of load (default 3). */
  readonly seconds?: number;
}

const SERVE_FLAG = '--serve-webhook';

/** The child: serves a one-intent map and reports its port. */
async function serve(): Promise<void> {
  const { http } = await import('@google-cloud/functions-framework');
  const { getTestServer } = await import('@google-cloud/functions-framework/testing');
  const { setLogLevel } = await import('../src/log');
  const { loadWebhookConfig } = await import('../src/webhook/config');
  const { createWebhookDeps } = await import('../src/webhook/compose');
  const { createWebhookHandler } = await import('../src/webhook/handler');
  const { createLogger } = await import('../src/log');
  const { defineIntentMap } = await import('../src/webhook/intent-map');
  setLogLevel('WARNING');
  const map = defineIntentMap({
    intents: { 'order.status': (agent) => void agent.text(`Order ${String(agent.parameter('order-number'))} has shipped.`) },
    fallback: (agent) => void agent.text('fallback'),
  });
  const deps = createWebhookDeps(map, loadWebhookConfig({}), { log: createLogger('bench') });
  http('dialogflowWebhookBench', createWebhookHandler(async () => deps));
  const server = getTestServer('dialogflowWebhookBench');
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
}

function body(i: number): string {
  return JSON.stringify({
    responseId: `bench-${process.pid}-${i}`,
    session: 'projects/bench/agent/sessions/s-1',
    queryResult: {
      queryText: 'where is order 42',
      parameters: { 'order-number': 42 },
      languageCode: 'en',
      intent: { name: 'projects/bench/agent/intents/1', displayName: 'order.status' },
    },
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

export async function benchWebhook(options: WebhookBenchOptions = {}): Promise<BenchResult> {
  const rate = options.rate ?? 1000;
  const seconds = options.seconds ?? 3;
  const child: ChildProcess = fork(__filename, [SERVE_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message) => resolve((message as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const send = (payload: string): Promise<boolean> =>
      new Promise((resolve) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode === 200));
          },
        );
        req.on('error', () => resolve(false));
        req.end(payload);
      });

    // Warm up (JIT, sockets) before measuring.
    await Promise.all(Array.from({ length: 500 }, (_, i) => send(body(-1 - i))));

    const total = rate * seconds;
    // Built beforehand, so the client does as little as possible while measuring.
    const bodies = Array.from({ length: total }, (_, i) => body(i));
    const latencies: number[] = [];
    const lags: number[] = [];
    const pending: Promise<void>[] = [];
    let errors = 0;
    const start = performance.now();
    let next = 0;
    while (next < total) {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        const sent = performance.now();
        lags.push(sent - (start + (next * 1000) / rate));
        pending.push(
          send(bodies[next]).then((ok) => {
            if (ok) latencies.push(performance.now() - sent);
            else errors += 1;
          }),
        );
        next += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - start) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    return {
      name: 'webhook: simple intent, one process, loopback',
      offeredRps: rate,
      achievedRps: round(latencies.length / elapsed),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      errors,
      clientLagP99Ms: round(percentile(lags, 99)),
    };
  } finally {
    child.kill();
  }
}

if (require.main === module) {
  if (process.argv.includes(SERVE_FLAG)) {
    void serve();
  } else {
    benchWebhook().then(
      (result) => process.stdout.write(JSON.stringify(result) + '\n'),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
