/**
 * Builds a whole process (relay plus HTTP routes) from an environment: the shared composition of the
 * relay container's `main` and the local stack's `main`. Every setting is read first, at once
 * (src/app/config.ts); then the pieces are built from it. Returns the process unstarted.
 */
import { createConversationAccess } from '../access/access';
import { createServer } from 'node:http';
import { createBroker, type BrokerHandle } from '../broker/create';
import type { Env } from '../config/settings';
import { createCorsPolicy } from '../http/cors';
import type { Logger } from '../log';
import type { RelayConfig } from '../relay/config';
import { createRelay, type Relay } from '../relay/relay';
import { socketIoAttachment } from '../relay/socketio';
import { loadProcessConfig } from './config';
import type { AppContext } from './context';
import { relayHttpApp } from './relay-routes';
import { desktopRoutes, functionRoutes } from './routes';

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
  const processConfig = await loadProcessConfig(env, { local, functions: options.mountFunctions });
  const config = processConfig.relay;
  // Loaded before anything connects: a bad access module stops the start.
  const access = await createConversationAccess(processConfig.access, log.child({ unit: 'access' }));
  const handle: BrokerHandle = createBroker(processConfig.broker, log);
  const context: AppContext = { config: processConfig, local, broker: handle.broker, redis: handle.redis, jwt: processConfig.jwt, log };
  const routes = [...desktopRoutes(context), ...(options.mountFunctions ? functionRoutes(context) : [])];
  // One CORS policy for every route and for Socket.IO.
  const cors = createCorsPolicy(config.corsOrigins);
  const relayLog = log.child({ unit: 'relay' });
  // The app's listener goes on first: engine.io, attached next, takes over the listeners already there
  // and passes them every request that is not its own.
  const http: { app?: ReturnType<typeof relayHttpApp> } = {};
  const server = createServer((req, res) => http.app!(req, res));
  const relay = createRelay({
    broker: handle.broker,
    jwt: processConfig.jwt,
    log: relayLog,
    config,
    access,
    server,
    attachments: [socketIoAttachment(relayLog, cors)],
  });
  http.app = relayHttpApp(relay, { broker: handle.broker, config, cors, routes, log: relayLog });
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
