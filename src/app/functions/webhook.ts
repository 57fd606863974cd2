/**
 * The webhook as deployed (`functions/dialogflowWebhook.ts`): configuration from the environment on first
 * use (every bad setting named at once), never at import; with Redis configured, the process's shared
 * broker and connection (idempotency in Redis, handlers can publish to desktops); without, answers are
 * kept in memory and publishing is off. Intent-map authors reach it through `src/webhook` (its API face).
 */
import { loadBrokerConfig } from '../../broker/config';
import { gatherConfig } from '../../config/gather';
import type { Env } from '../../config/settings';
import type { Handler } from '../../http/handler';
import { createLogger } from '../../log';
import { createWebhookDeps } from '../../webhook/compose';
import { loadWebhookConfig } from '../../webhook/config';
import { createWebhookHandler } from '../../webhook/handler';
import type { IntentMap } from '../../webhook/intent-map';
import { applyCoreConfig, lazy, processEnv, sharedBroker } from '../runtime';

/** The deployed webhook serving `map`. */
export function webhookFunction(map: IntentMap, env: () => Env = processEnv): Handler {
  const log = createLogger('dialogflow-webhook');
  return createWebhookHandler(
    lazy(async () => {
      const values = env();
      const config = await gatherConfig({
        core: () => applyCoreConfig(values),
        webhook: () => loadWebhookConfig(values),
        broker: () => loadBrokerConfig(values),
      });
      const handle = config.broker.redis ? await sharedBroker(config.broker) : undefined;
      if (config.webhook.auth.mode === 'none') log.notice('webhook authentication is off (WEBHOOK_AUTH=none): rely on Cloud Functions IAM');
      return createWebhookDeps(map, config.webhook, { log, broker: handle?.broker, redis: handle?.redis, projectId: config.core.projectId });
    }, log),
  );
}
