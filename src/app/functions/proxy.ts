/**
 * The `dialogflowProxy` function as deployed: configuration and the JWT secret are read from the
 * environment on the first request (every bad setting named at once), Application Default Credentials
 * on the first forwarded call.
 */
import { loadJwtSettings } from '../../auth/jwt-config';
import { gatherConfig } from '../../config/gather';
import type { Env } from '../../config/settings';
import type { Handler } from '../../http/handler';
import { createLogger } from '../../log';
import { loadProxyConfig } from '../../proxy/config';
import { createProxyHandler } from '../../proxy/handler';
import { tokenProviderFor } from '../../proxy/upstream';
import { applyCoreConfig, lazy, processEnv, withEnvCors } from '../runtime';

/** The handler behind the `dialogflowProxy` entry point. */
export function dialogflowProxyFunction(env: () => Env = processEnv): Handler {
  const log = createLogger('dialogflowProxy');
  const deps = lazy(async () => {
    const values = env();
    const { proxy, jwt } = await gatherConfig({
      core: () => applyCoreConfig(values),
      proxy: () => loadProxyConfig(values),
      jwt: () => loadJwtSettings(values),
    });
    return { jwt, log, token: tokenProviderFor(proxy), baseUrl: proxy.baseUrl, timeoutMs: proxy.timeoutMs };
  }, log);
  // Desktops call from their own origin in a browser: the same CORS policy as the relay's routes.
  return withEnvCors(createProxyHandler(deps), env);
}
