/**
 * The `conversationName` function as deployed: Redis and the JWT secret from `process.env`, read on the
 * first request and shared across invocations.
 */
import { loadJwtSettings } from '../auth/jwt-config';
import { createLogger } from '../log';
import { withCors } from '../register/cors';
import { lazy, sharedRedis } from '../runtime';
import { loadConversationNameConfig } from './config';
import { createConversationNameHandler } from './handler';
import { RedisConversationNameStore } from './redis';

/** The handler behind the `conversationName` entry point. */
export function conversationNameFunction() {
  const log = createLogger('conversationName');
  const deps = lazy(async () => {
    const config = loadConversationNameConfig(process.env);
    const jwt = await loadJwtSettings(process.env);
    const store = new RedisConversationNameStore(await sharedRedis(), config.ttlSeconds);
    return { jwt, log, store };
  }, log);
  // Desktops call from their own origin in a browser: the same CORS policy as the relay's routes.
  return withCors(createConversationNameHandler(deps));
}
