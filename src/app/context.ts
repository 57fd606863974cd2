/**
 * What the route tables of a relay or local-stack process are built from: its configuration, read once,
 * and the clients built from it.
 */
import type { JwtSettings } from '../auth/jwt';
import type { Broker } from '../broker/broker';
import type { Logger } from '../log';
import type { RedisConnection } from '../redis/connection';
import type { ProcessConfig } from './config';

export interface AppContext {
  /** The process's configuration, read once (src/app/config.ts). */
  readonly config: ProcessConfig;
  /** Local mode: `npm start` without NODE_ENV=production. */
  readonly local: boolean;
  readonly broker: Broker;
  /** The shared Redis connection, when Redis is configured. */
  readonly redis?: RedisConnection;
  /** The process's JWT settings (`config.jwt`, named for the many who need it). */
  readonly jwt: JwtSettings;
  readonly log: Logger;
}
