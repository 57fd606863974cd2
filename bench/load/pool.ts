/**
 * The load generator as several processes (bench/load/desktops.ts and poster.ts), so that on a small
 * machine the clients are spread over cores and are not what limits a figure. Each worker answers one
 * command at a time over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ConnectCommand } from './desktops';
import type { OfferCommand } from './poster';

interface Worker {
  readonly child: ChildProcess;
  ask<T>(command: object, answer: string): Promise<T>;
}

function spawnWorker(file: string): Worker {
  const child = fork(join(__dirname, file), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production' } });
  return {
    child,
    ask<T>(command: object, answer: string): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onMessage = (message: { cmd: string }): void => {
          if (message.cmd !== answer) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as T);
        };
        const onExit = (code: number | null): void => reject(new Error(`load worker ${file} exited with ${code}`));
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send(command);
      });
    },
  };
}

/** `size` desktop processes sharing the desktops of a figure. */
export class DesktopPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => spawnWorker('desktops.js'));
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? 0);
  }

  /** Connects `count` desktops, split over the workers; resolves with the ones that failed. */
  async connect(command: Omit<ConnectCommand, 'cmd' | 'first' | 'count'> & { count: number }): Promise<number> {
    const share = Math.ceil(command.count / this.workers.length);
    const answers = await Promise.all(
      this.workers.map((w, i) => {
        const first = i * share;
        const count = Math.max(0, Math.min(share, command.count - first));
        return w.ask<{ failed: number }>({ ...command, cmd: 'connect', first, count }, 'connected');
      }),
    );
    return answers.reduce((sum, a) => sum + a.failed, 0);
  }

  /** The latencies (ms) of every event received since the last call. */
  async collect(): Promise<number[]> {
    const answers = await Promise.all(this.workers.map((w) => w.ask<{ latencies: number[] }>({ cmd: 'collect' }, 'collected')));
    return answers.flatMap((a) => a.latencies);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            w.child.send({ cmd: 'close' });
            setTimeout(() => w.child.kill('SIGKILL'), 3000).unref();
          }),
      ),
    );
  }
}

/** `size` poster processes sharing the rate of a figure. */
export class PosterPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => spawnWorker('poster.js'));
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? 0);
  }

  /** Offers `eps` (split over the workers) for `seconds`; resolves once every answer is in (or 5 s later). */
  async offer(command: Omit<OfferCommand, 'cmd' | 'index' | 'of'>): Promise<{ sent: number; acknowledged: number; failed: number }> {
    const of = this.workers.length;
    const answers = await Promise.all(
      this.workers.map((w, index) => w.ask<{ sent: number; acknowledged: number; failed: number }>({ ...command, cmd: 'offer', eps: command.eps / of, index, of }, 'offered')),
    );
    return answers.reduce((sum, a) => ({ sent: sum.sent + a.sent, acknowledged: sum.acknowledged + a.acknowledged, failed: sum.failed + a.failed }), { sent: 0, acknowledged: 0, failed: 0 });
  }

  async close(): Promise<void> {
    for (const w of this.workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}
