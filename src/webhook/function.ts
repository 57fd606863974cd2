/**
 * The webhook as deployed (`functions/dialogflowWebhook.ts`): configuration from `process.env` on first
 * use, never at import; with Redis configured, the process's shared broker and connection (idempotency in
 * Redis, handlers can publish to desktops); without, answers are kept in memory and publishing is off.
 */
import { loadBrokerConfig } from '../config/core';
import { createLogger } from '../log';
import { lazy, sharedBroker } from '../runtime';
import { createWebhookDeps } from './compose';
import { loadWebhookConfig } from './config';
import { createWebhookHandler, type HttpHandler } from './handler';
import type { IntentMap } from './intent-map';

export function webhookFunction(map: IntentMap): HttpHandler {
  const log = createLogger('dialogflow-webhook');
  return createWebhookHandler(
    lazy(async () => {
      const config = loadWebhookConfig(process.env);
      const handle = loadBrokerConfig(process.env).redis ? await sharedBroker() : undefined;
      if (config.auth.mode === 'none') log.notice('webhook authentication is off (WEBHOOK_AUTH=none): rely on Cloud Functions IAM');
      return createWebhookDeps(map, config, { log, broker: handle?.broker, redis: handle?.redis, projectId: process.env.GCP_PROJECT_ID });
    }, log),
  );
}
