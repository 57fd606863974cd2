/**
 * The relay container's entry point (Cloud Run): reads the environment, builds the relay with the
 * desktop-facing routes, listens on PORT, drains on SIGTERM. No local defaults.
 */
import { buildServer } from './server';
import { runUntilSignal } from './lifecycle';
import { ConfigError } from '../config/settings';
import { createLogger } from '../log';

async function main(): Promise<void> {
  const log = createLogger('relay');
  const built = await buildServer({ env: process.env, local: false, mountFunctions: false, log });
  await runUntilSignal(built, log);
  log.notice('relay listening', { port: built.config.port, broker: built.context.redis ? 'redis' : 'embedded' });
}

main().catch((error: unknown) => {
  createLogger('relay').error('relay failed to start', { error: error instanceof ConfigError ? error.message : error });
  process.exitCode = 1;
});
