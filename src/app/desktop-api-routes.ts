/**
 * The Dialogflow proxy and the conversation-name API as routes of the relay and the local stack, so a
 * desktop reaches them on the same origin as the socket (as with the Python UI connector). The same
 * handlers as the deployed functions; the store is Redis when the process has Redis, else memory.
 */
import type { AppContext } from './context';
import { createConversationNameHandler } from '../conversation-name/handler';
import { MemoryConversationNameStore } from '../conversation-name/memory';
import { RedisConversationNameStore } from '../conversation-name/redis';
import type { ConversationNameStore } from '../conversation-name/store';
import type { Route } from '../http/app';
import { createProxyHandler, type ProxyDeps } from '../proxy/handler';
import { tokenProviderFor, type AccessTokenProvider } from '../proxy/upstream';

/**
 * `/<version>/projects/...` (the proxy; the handler refuses what is not allowlisted with 404) and
 * `/conversation-name`. The proxy pattern needs `projects` as second segment, so it never shadows
 * `/register`, `/status`, `/ws` or `/socket.io/`. `token` replaces Application Default Credentials (tests).
 */
export function proxyRoutes(
  ctx: Pick<AppContext, 'config' | 'redis' | 'log'>,
  options: { token?: AccessTokenProvider; fetch?: typeof fetch } = {},
): Route[] {
  const { proxy: proxyConfig, jwt } = ctx.config;
  const proxyDeps: ProxyDeps = {
    jwt,
    log: ctx.log.child({ unit: 'dialogflowProxy' }),
    token: options.token ?? tokenProviderFor(proxyConfig),
    baseUrl: proxyConfig.baseUrl,
    timeoutMs: proxyConfig.timeoutMs,
    fetch: options.fetch,
  };
  const { ttlSeconds } = ctx.config.conversationName;
  const store: ConversationNameStore = ctx.redis
    ? new RedisConversationNameStore(ctx.redis, ttlSeconds)
    : new MemoryConversationNameStore(ttlSeconds);
  const conversationNameDeps = { jwt, log: ctx.log.child({ unit: 'conversationName' }), store };
  return [
    { method: 'all', path: '/:version/projects/*rest', handler: createProxyHandler(async () => proxyDeps) },
    { method: 'all', path: '/conversation-name', handler: createConversationNameHandler(async () => conversationNameDeps) },
  ];
}
