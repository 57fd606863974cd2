/**
 * Listening and stopping: bind, and on SIGTERM or SIGINT drain the relay (sockets get the reconnect
 * close code) and exit within the relay's shutdown bound.
 */
import { ConfigError } from '../config/settings';
import type { Logger } from '../log';
import type { BuiltServer } from './server';

/** The error a failed bind becomes: a port in use names the setting that moves it. */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new ConfigError([`port ${port} on ${host} is already in use (another process listens there): set PORT to a free port, e.g. PORT=8081, or stop that process`]);
  }
  if (error.code === 'EACCES') return new ConfigError([`not allowed to listen on port ${port}: set PORT to a port above 1023`]);
  if (error.code === 'EADDRNOTAVAIL') return new ConfigError([`address ${host} is not available on this machine: set HOST (127.0.0.1 or 0.0.0.0)`]);
  return error;
}

export async function runUntilSignal(built: BuiltServer, log: Logger): Promise<void> {
  const { relay, config } = built;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => reject(listenError(error, config.host, config.port));
    relay.server.once('error', failed);
    relay.server.listen(config.port, config.host, () => {
      relay.server.off('error', failed);
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
