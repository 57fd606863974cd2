/**
 * The event functions as deployed: each reads its configuration from `process.env` on first use and
 * shares the process's Redis broker across invocations.
 */
import { createIdTokenVerifier } from '../auth/google-id-token';
import { createLogger } from '../log';
import { lazy, sharedBroker } from '../runtime';
import { loadEventConfig } from './config';
import { createEventHandler, type HttpHandler } from './handler';
import type { DataType } from './types';

export function eventFunction(type: DataType): HttpHandler {
  const log = createLogger(type);
  return createEventHandler(
    type,
    lazy(async () => {
      const config = loadEventConfig(process.env);
      const { broker } = await sharedBroker();
      return {
        broker,
        log,
        maxBodyBytes: config.maxBodyBytes,
        pushAuth: config.pushAuth ? createIdTokenVerifier(config.pushAuth) : undefined,
        projectId: process.env.GCP_PROJECT_ID,
      };
    }, log),
  );
}
