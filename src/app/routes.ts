/**
 * The routes the relay and the local stack mount, built from one context so every process mounts the
 * very same handlers as the deployed functions.
 */
import { createIdTokenVerifier } from '../auth/google-id-token';
import type { JwtSettings } from '../auth/jwt';
import type { Broker } from '../broker/broker';
import type { Env } from '../config/settings';
import { loadEventConfig } from '../events/config';
import { createEventHandler } from '../events/handler';
import { DATA_TYPES } from '../events/types';
import type { Route } from '../http/app';
import type { Logger } from '../log';
import type { RedisConnection } from '../redis/connection';
import { createRegisterHandler } from '../register/handler';

export interface AppContext {
  readonly env: Env;
  /** Local mode: `npm start` without NODE_ENV=production. */
  readonly local: boolean;
  readonly broker: Broker;
  /** The shared Redis connection, when Redis is configured. */
  readonly redis?: RedisConnection;
  readonly jwt: JwtSettings;
  readonly log: Logger;
}

/** Routes agent desktops call: registration (and, beside it, the proxy and conversation-name API). */
export function desktopRoutes(ctx: AppContext): Route[] {
  const log = ctx.log.child({ unit: 'register' });
  const register = createRegisterHandler(async () => ({
    jwt: ctx.jwt,
    log,
    check: async () => {
      if (!ctx.local) throw new Error('no AUTH_OPTION configured');
      log.warn('registration without a platform check (local mode, AUTH_OPTION unset)');
      return {};
    },
  }));
  return [{ method: 'post', path: '/register', handler: register }];
}

/** Routes Pub/Sub and Dialogflow call: the four event functions (and the fulfillment webhook). */
export function functionRoutes(ctx: AppContext): Route[] {
  const config = loadEventConfig(ctx.env, ctx.local);
  const pushAuth = config.pushAuth ? createIdTokenVerifier(config.pushAuth) : undefined;
  return DATA_TYPES.map((type) => {
    const log = ctx.log.child({ unit: type });
    const deps = { broker: ctx.broker, log, pushAuth, maxBodyBytes: config.maxBodyBytes, projectId: ctx.env.GCP_PROJECT_ID };
    return { method: 'all' as const, path: `/${type}`, handler: createEventHandler(type, async () => deps) };
  });
}
