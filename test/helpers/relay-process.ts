/**
 * The relay container's own entry point (`dist/src/app/relay-main.js`) as a child process on a fixed port,
 * so a test can stop it the way Cloud Run does (SIGTERM) or the way a crash does (SIGKILL), and start
 * it again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from './ports';
import { TEST_PROJECT, TEST_SECRET } from './stack';

export class RelayProcess {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts a relay with Redis at `redisUrl` on a free port. */
  static async start(redisUrl: string, env: Record<string, string> = {}): Promise<RelayProcess> {
    const relay = new RelayProcess(await freePort(), { REDIS_URL: redisUrl, ...env });
    await relay.start();
    return relay;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** Starts (again) on the same port; resolves once it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'src', 'app', 'relay-main.js')], {
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        JWT_SECRET: TEST_SECRET,
        GCP_PROJECT_ID: TEST_PROJECT,
        RELAY_SHUTDOWN_SECONDS: '2',
        NODE_ENV: 'production',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('relay listening')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`relay did not start: ${output.slice(-800)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends `signal` and resolves with the exit code once the process has gone. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill(signal);
    const [code] = await exited;
    return code;
  }
}
