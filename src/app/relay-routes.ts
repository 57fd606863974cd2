/**
 * The HTTP face of a relay process: the relay's own routes (`/status`, `/healthz`, `/readyz`, `/metrics`),
 * the demo desktop, and the routes the process mounts beside them, on one Express app behind the
 * process's one CORS policy. The relay itself serves only the WebSocket upgrades of the same server.
 */
import type express from 'express';
import type { Broker } from '../broker/broker';
import { createHttpApp, type Route } from '../http/app';
import type { CorsPolicy } from '../http/cors';
import type { Logger } from '../log';
import type { RelayConfig } from '../relay/config';
import { demoPage } from '../relay/demo';
import { metricsStatus } from '../relay/metrics-access';
import type { Relay } from '../relay/relay';

/** Status (the Python connector's greeting), liveness, readiness (the broker answers, not draining) and metrics. */
export function relayRoutes(relay: Relay, broker: Broker, config: RelayConfig): Route[] {
  const { metrics, hub } = relay;
  return [
    { method: 'get', path: '/status', handler: (_req, res) => res.status(200).type('text/plain').send('Hello, cross-origin-world!') },
    { method: 'get', path: '/healthz', handler: (_req, res) => res.status(200).json({ status: 'ok' }) },
    {
      method: 'get',
      path: '/readyz',
      handler: async (_req, res) => {
        if (relay.shuttingDown) return res.status(503).json({ status: 'shutting down' });
        try {
          await broker.ping();
          res.status(200).json({ status: 'ready' });
        } catch {
          res.status(503).json({ status: 'broker unavailable' });
        }
      },
    },
    {
      method: 'get',
      path: '/metrics',
      handler: async (req, res) => {
        const status = metricsStatus(config.metrics, req.headers.authorization);
        if (status === 404) return res.status(404).json({ error: 'not found' });
        if (status === 401) return res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'metrics token required' });
        metrics.rooms.set(hub.roomCount);
        res.status(200).type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    },
  ];
}

/** The Express app of a relay process: CORS first, the demo page when enabled, then the relay's routes and `routes`. */
export function relayHttpApp(relay: Relay, options: { broker: Broker; config: RelayConfig; cors: CorsPolicy; routes: readonly Route[]; log: Logger }): express.Express {
  const { config } = options;
  return createHttpApp({
    log: options.log,
    bodyLimitBytes: config.bodyLimitBytes,
    before: [options.cors.middleware, ...(config.demoPage ? [demoPage()] : [])],
    routes: [...relayRoutes(relay, options.broker, config), ...options.routes],
  });
}
