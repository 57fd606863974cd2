/**
 * The configuration of a relay or local-stack process, read once from its environment: every module's
 * loader runs, and one ConfigError lists every bad setting of every module. Nothing below `src/app/`
 * reads the environment; each module is handed its part of what this returns.
 */
import { loadAccessConfig } from '../access/config';
import { loadJwtSettings } from '../auth/jwt-config';
import { loadBrokerConfig } from '../broker/config';
import { loadCoreConfig } from '../config/core';
import { gatherConfig } from '../config/gather';
import type { Env } from '../config/settings';
import { loadConversationNameConfig } from '../conversation-name/config';
import { loadEventConfig, type EventConfig } from '../events/config';
import { setLogLevel } from '../log';
import { loadProxyConfig } from '../proxy/config';
import { loadRegisterConfig } from '../register/config';
import { loadRelayConfig } from '../relay/config';
import { loadWebhookConfig, type WebhookConfig } from '../webhook/config';

/** What kind of process is configured. */
export interface ProcessMode {
  /** Local defaults (throwaway secret, registration without a platform check, loopback). */
  readonly local: boolean;
  /** The process mounts the event functions and the webhook too (the local stack; not the relay container). */
  readonly functions: boolean;
}

/** The relay container's mode (no local defaults, no event routes). */
export const RELAY_MODE: ProcessMode = { local: false, functions: false };

/** `npm start`'s mode: local unless NODE_ENV=production, every route mounted. */
export function stackMode(env: Env): ProcessMode {
  return { local: env.NODE_ENV !== 'production', functions: true };
}

/** Reads every setting the process uses; throws one ConfigError naming every problem. */
export async function loadProcessConfig(env: Env, mode: ProcessMode) {
  const { local } = mode;
  const config = await gatherConfig({
    core: () => loadCoreConfig(env, local),
    relay: () => loadRelayConfig(env, local),
    broker: () => loadBrokerConfig(env, local),
    access: () => loadAccessConfig(env, local),
    register: () => loadRegisterConfig(env, local),
    proxy: () => loadProxyConfig(env, local),
    conversationName: () => loadConversationNameConfig(env, local),
    events: (): EventConfig | undefined => (mode.functions ? loadEventConfig(env, local) : undefined),
    webhook: (): WebhookConfig | undefined => (mode.functions ? loadWebhookConfig(env, local) : undefined),
    jwt: () => loadJwtSettings(env, local),
  });
  setLogLevel(config.core.logLevel);
  return { ...config, mode };
}

/** Everything a relay or local-stack process is configured with. */
export type ProcessConfig = Awaited<ReturnType<typeof loadProcessConfig>>;
