/**
 * Builds a whole process (relay plus HTTP routes) from an environment: the shared composition of the
 * relay container's `main` and the local stack's `main`. Returns it unstarted.
 */
import { createConversationAccess } from '../access/access';
import { loadAccessConfig } from '../access/config';
import { loadJwtSettings } from '../auth/jwt-config';
import { createBroker, type BrokerHandle } from '../broker/create';
import { loadBrokerConfig } from '../config/core';
import type { Env } from '../config/settings';
import type { Logger } from '../log';
import { loadRelayConfig, type RelayConfig } from '../relay/config';
import { createRelay, type Relay } from '../relay/relay';
import { socketIoAttachment } from '../relay/socketio';
import { desktopRoutes, functionRoutes, type AppContext } from './routes';

export interface ServerOptions {
  readonly env: Env;
  /** Apply local defaults (throwaway secret, registration without a platform check, bind to loopback). */
  readonly local: boolean;
  /** Mount the event functions and the webhook too (the local stack does; the relay container does not). */
  readonly mountFunctions: boolean;
  readonly log: Logger;
}

export interface BuiltServer {
  readonly relay: Relay;
  readonly config: RelayConfig;
  readonly context: AppContext;
  /** Shuts the relay down, then closes the broker and Redis. */
  close(): Promise<void>;
}

export async function buildServer(options: ServerOptions): Promise<BuiltServer> {
  const { env, local, log } = options;
  const config = loadRelayConfig(env, local);
  const brokerConfig = loadBrokerConfig(env, local);
  const accessConfig = loadAccessConfig(env, local);
  const jwt = await loadJwtSettings(env, local);
  // Loaded before anything connects: a bad access module stops the start.
  const access = await createConversationAccess(accessConfig, log.child({ unit: 'access' }));
  const handle: BrokerHandle = createBroker(brokerConfig, log);
  const context: AppContext = { env, local, broker: handle.broker, redis: handle.redis, jwt, log };
  const routes = [...desktopRoutes(context), ...(options.mountFunctions ? functionRoutes(context) : [])];
  const relay = createRelay({
    broker: handle.broker,
    jwt,
    log: log.child({ unit: 'relay' }),
    config,
    access,
    routes,
    attachments: [socketIoAttachment()],
  });
  return {
    relay,
    config,
    context,
    async close() {
      await relay.shutdown();
      await handle.broker.close();
      await handle.redis?.close();
    },
  };
}
