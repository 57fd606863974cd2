/**
 * Listening and stopping: bind, and on SIGTERM or SIGINT drain the relay (sockets get the reconnect
 * close code) and exit within the relay's shutdown bound.
 */
import type { Logger } from '../log';
import type { BuiltServer } from './server';

export async function runUntilSignal(built: BuiltServer, log: Logger): Promise<void> {
  const { relay, config } = built;
  await new Promise<void>((resolve, reject) => {
    relay.server.once('error', reject);
    relay.server.listen(config.port, config.host, () => {
      relay.server.off('error', reject);
      resolve();
    });
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.notice('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), config.shutdownMs + 2000);
    force.unref();
    built.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
