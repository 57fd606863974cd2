/**
 * The `dialogflowProxy` function as deployed: configuration and the JWT secret are read from
 * `process.env` on the first request, Application Default Credentials on the first forwarded call.
 */
import { loadJwtSettings } from '../auth/jwt-config';
import { createLogger } from '../log';
import { withCors } from '../register/cors';
import { lazy } from '../runtime';
import { loadProxyConfig } from './config';
import { createProxyHandler } from './handler';
import { tokenProviderFor } from './upstream';

/** The handler behind the `dialogflowProxy` entry point. */
export function dialogflowProxyFunction() {
  const log = createLogger('dialogflowProxy');
  const deps = lazy(async () => {
    const config = loadProxyConfig(process.env);
    const jwt = await loadJwtSettings(process.env);
    return { jwt, log, token: tokenProviderFor(config), baseUrl: config.baseUrl, timeoutMs: config.timeoutMs };
  }, log);
  // Desktops call from their own origin in a browser: the same CORS policy as the relay's routes.
  return withCors(createProxyHandler(deps));
}
