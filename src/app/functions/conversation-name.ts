/**
 * The `conversationName` function as deployed: Redis and the JWT secret from the environment, read on
 * the first request (every bad setting named at once) and shared across invocations.
 */
import { loadJwtSettings } from '../../auth/jwt-config';
import { loadBrokerConfig } from '../../broker/config';
import { gatherConfig } from '../../config/gather';
import type { Env } from '../../config/settings';
import { loadConversationNameConfig } from '../../conversation-name/config';
import { createConversationNameHandler } from '../../conversation-name/handler';
import { RedisConversationNameStore } from '../../conversation-name/redis';
import type { Handler } from '../../http/handler';
import { createLogger } from '../../log';
import { applyCoreConfig, lazy, processEnv, requireRedis, sharedRedis, withEnvCors } from '../runtime';

/** The handler behind the `conversationName` entry point. */
export function conversationNameFunction(env: () => Env = processEnv): Handler {
  const log = createLogger('conversationName');
  const deps = lazy(async () => {
    const values = env();
    const config = await gatherConfig({
      core: () => applyCoreConfig(values),
      conversationName: () => loadConversationNameConfig(values),
      broker: () => requireRedis(loadBrokerConfig(values)),
      jwt: () => loadJwtSettings(values),
    });
    const store = new RedisConversationNameStore(await sharedRedis(config.broker), config.conversationName.ttlSeconds);
    return { jwt: config.jwt, log, store };
  }, log);
  // Desktops call from their own origin in a browser: the same CORS policy as the relay's routes.
  return withEnvCors(createConversationNameHandler(deps), env);
}
