/**
 * `npm start`: the whole stack on one port (relay, desktop routes, event functions, webhook). Local mode
 * unless NODE_ENV=production: a throwaway JWT secret when none is given, registration without a platform
 * token when AUTH_OPTION is unset (with a warning), loopback only, the embedded broker without Redis.
 */
import { ConfigError } from '../config/settings';
import { createLogger } from '../log';
import { buildServer } from './server';
import { runUntilSignal } from './lifecycle';

async function main(): Promise<void> {
  const log = createLogger('stack');
  const local = process.env.NODE_ENV !== 'production';
  const built = await buildServer({ env: process.env, local, mountFunctions: true, log });
  const { config, context } = built;
  await runUntilSignal(built, log);
  const address = built.relay.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  log.notice('stack listening', {
    url: base,
    mode: local ? 'local' : 'production',
    broker: context.redis ? 'redis' : 'embedded',
  });
  if (local) {
    process.stderr.write(
      `\nAgent Assist backend (local mode) at ${base}\n` +
        (config.demoPage ? `  demo desktop:  ${base}/ (register, join, send samples)\n` : '') +
        `  get a token:   curl -s -X POST ${base}/register\n` +
        `  watch events:  WebSocket ${base.replace('http', 'ws')}/ws with "Authorization: Bearer <token>"\n` +
        `  send samples:  npm run simulate -- --url ${base}\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  createLogger('stack').error('stack failed to start', { error: error instanceof ConfigError ? error.message : error });
  // A person at a terminal gets the reason (e.g. which setting to change) on its own line too.
  if (error instanceof ConfigError && process.env.NODE_ENV !== 'production') process.stderr.write(`\nnpm start: ${error.problems.join('; ')}\n`);
  process.exitCode = 1;
});
