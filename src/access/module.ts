/**
 * Loading the integrator's access module (`CONVERSATION_ACCESS_MODULE`): a CommonJS or ES module that
 * exports `canJoin`, directly or on its default export. Loaded once, at start: a module that is missing,
 * does not load, or exports no `canJoin` stops the process with a ConfigError saying which.
 */
import type { TokenClaims } from '../auth/jwt';
import { loadIntegratorFunction } from '../config/integrator-module';

/** Who asks to join: the token's user and project, and every claim of the token. */
export interface Who {
  readonly user: string;
  readonly project: string;
  readonly claims: TokenClaims;
}

/**
 * The integrator's decision: truthy allows the join. `conversation` is the name without its location
 * (`projects/P/conversations/C`). `options.signal` aborts when the relay stops waiting (timeout).
 */
export type CanJoin = (who: Who, conversation: string, options: { signal: AbortSignal }) => Promise<unknown>;

/** Imports the module at `modulePath` and returns its `canJoin`; throws ConfigError when it cannot. */
export function loadCanJoin(modulePath: string): Promise<CanJoin> {
  return loadIntegratorFunction<CanJoin>({ setting: 'CONVERSATION_ACCESS_MODULE', path: modulePath, name: 'canJoin' });
}
