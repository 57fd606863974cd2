/**
 * `AUTH_OPTION=Skip` (and local mode without AUTH_OPTION): every token is accepted. The configuration
 * refuses Skip unless `AUTH_SKIP_ALLOWED=true` is set as well, and every registration logs a warning, so
 * a deployment left this way is loud about it.
 */
import type { Logger } from '../../log';
import type { Identity, Provider } from './provider';

export function skipProvider(log: Logger, why: string): Provider {
  return {
    name: 'Skip',
    cacheable: false,
    tokenOptional: true,
    async check(): Promise<Identity> {
      log.warn('registration without a platform check', { reason: why });
      return {};
    },
  };
}
