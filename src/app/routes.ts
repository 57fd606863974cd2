/**
 * The routes the relay and the local stack mount, built from one context so every process mounts the
 * very same handlers as the deployed functions.
 */
import { createIdTokenVerifier } from '../auth/google-id-token';
import { createEventHandler } from '../events/handler';
import { DATA_TYPES } from '../broker/event';
import type { Route } from '../http/app';
import { proxyRoutes } from './desktop-api-routes';
import { clientModuleRoute } from '../relay/client-module';
import { buildRegistration, registrationRoutes } from '../register/registration';
import type { AppContext } from './context';
import { lazy } from './runtime';
import { createWebhookDeps } from '../webhook/compose';
import { exampleIntentMap } from '../webhook/example-agent';
import { createWebhookHandler } from '../webhook/handler';


/** Routes agent desktops call: registration (and, beside it, the proxy and conversation-name API), and the client module. */
export function desktopRoutes(ctx: AppContext): Route[] {
  const log = ctx.log.child({ unit: 'register' });
  // The provider is built on first use; its settings were read with the rest at start.
  const config = ctx.config.register;
  if (!ctx.local && config.authOption === undefined) {
    log.warn('AUTH_OPTION unset: every registration is refused', { routes: ['/register', '/register/refresh'] });
  }
  const registration = lazy(() => buildRegistration({ config, local: ctx.local, log, jwt: ctx.jwt, projectId: ctx.config.core.projectId }), log);
  return [...registrationRoutes(registration), ...proxyRoutes(ctx), clientModuleRoute()];
}

/** Routes Pub/Sub and Dialogflow call: the four event functions (and the fulfillment webhook). */
export function functionRoutes(ctx: AppContext): Route[] {
  const config = ctx.config.events;
  const webhookConfig = ctx.config.webhook;
  if (!config || !webhookConfig) throw new Error('the process was configured without the event functions');
  const pushAuth = config.pushAuth ? createIdTokenVerifier(config.pushAuth) : undefined;
  if (!ctx.local && !pushAuth) {
    // Deployed functions sit behind IAM; routes mounted here answer whoever reaches the port.
    ctx.log.warn('event routes mounted without push authentication: anyone who reaches them can publish events', {
      routes: DATA_TYPES.map((type) => `/${type}`),
      settings: ['PUSH_AUTH_AUDIENCE', 'PUSH_AUTH_SERVICE_ACCOUNTS'],
    });
  }
  const events: Route[] = DATA_TYPES.map((type) => {
    const log = ctx.log.child({ unit: type });
    const deps = { broker: ctx.broker, log, pushAuth, maxBodyBytes: config.maxBodyBytes, projectId: ctx.config.core.projectId };
    return { method: 'all' as const, path: `/${type}`, handler: createEventHandler(type, async () => deps) };
  });
  // The example intent map (src/ never imports functions/); idempotency in Redis when the stack has it.
  const webhook = createWebhookDeps(exampleIntentMap, webhookConfig, {
    log: ctx.log.child({ unit: 'dialogflow-webhook' }),
    broker: ctx.broker,
    redis: ctx.redis,
    projectId: ctx.config.core.projectId,
  });
  return [...events, { method: 'all', path: '/dialogflow-webhook', handler: createWebhookHandler(async () => webhook) }];
}
