/**
 * The event functions as deployed: each reads its configuration from the environment on first use
 * (every bad setting named at once) and shares the process's Redis broker across invocations.
 */
import { createIdTokenVerifier } from '../../auth/google-id-token';
import type { DataType } from '../../broker/event';
import { loadBrokerConfig } from '../../broker/config';
import { gatherConfig } from '../../config/gather';
import type { Env } from '../../config/settings';
import { loadEventConfig } from '../../events/config';
import { createEventHandler } from '../../events/handler';
import type { Handler } from '../../http/handler';
import { createLogger } from '../../log';
import { applyCoreConfig, lazy, processEnv, requireRedis, sharedBroker } from '../runtime';

/** The handler behind the entry point of `type` (`functions/<entry point>.ts`). */
export function eventFunction(type: DataType, env: () => Env = processEnv): Handler {
  const log = createLogger(type);
  return createEventHandler(
    type,
    lazy(async () => {
      const values = env();
      const config = await gatherConfig({
        core: () => applyCoreConfig(values),
        events: () => loadEventConfig(values),
        broker: () => requireRedis(loadBrokerConfig(values)),
      });
      const { broker } = await sharedBroker(config.broker);
      return {
        broker,
        log,
        maxBodyBytes: config.events.maxBodyBytes,
        pushAuth: config.events.pushAuth ? createIdTokenVerifier(config.events.pushAuth) : undefined,
        projectId: config.core.projectId,
      };
    }, log),
  );
}
