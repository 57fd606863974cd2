/**
 * No `AUTH_OPTION` (or no `APP_AUTH_OPTION`): the default denies. Every registration is refused,
 * without a call anywhere, so a deployment that forgot to configure its provider issues no token.
 */
import { RefusedError } from '../errors';
import type { Provider } from './provider';

export function refuseAllProvider(reason = 'registration is not configured'): Provider {
  return {
    name: 'None',
    cacheable: false,
    // Asked even without a token, so the caller learns the real reason.
    tokenOptional: true,
    async check(): Promise<never> {
      throw new RefusedError(reason);
    },
  };
}
