/**
 * The chaos suite's real processes: the event function (the stack with its event routes) and relay
 * containers, each a `node` child on its own loopback port, started, signalled and started again on the
 * same port as an operator's platform would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const DIST_SRC = join(__dirname, '..', '..', 'src');

export interface ProcessSpec {
  /** For messages. */
  readonly name: string;
  /** `app/relay-main.js` or `app/stack-main.js`, under dist/src. */
  readonly entry: string;
  readonly port: number;
  readonly env: Record<string, string>;
  /** The log message that says the process is serving. */
  readonly readyMessage: string;
}

/** One service process that can be killed and started again on the same port. */
export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(readonly spec: ProcessSpec) {}

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.spec.port}/ws`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [join(DIST_SRC, this.spec.entry)], {
      env: { ...process.env, ...this.spec.env, PORT: String(this.spec.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000)));
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(`"message":"${this.spec.readyMessage}"`)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${this.spec.name} did not start: ${this.output.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    child.kill(signal);
    const [code] = await exited;
    return code;
  }

  /** What the process printed last (for failure messages). */
  tail(chars = 2000): string {
    return this.output.slice(-chars);
  }
}
