/**
 * Loading the integrator's access module (`CONVERSATION_ACCESS_MODULE`): a CommonJS or ES module that
 * exports `canJoin`, directly or on its default export. Loaded once, at start: a module that is missing,
 * does not load, or exports no `canJoin` stops the process with a ConfigError saying which.
 */
import { resolve } from 'node:path';
import type { TokenClaims } from '../auth/jwt';
import { ConfigError } from '../config/settings';

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

function findCanJoin(loaded: unknown): CanJoin | undefined {
  const module = loaded as { canJoin?: unknown; default?: { canJoin?: unknown } } | undefined;
  if (typeof module?.canJoin === 'function') return module.canJoin as CanJoin;
  const inner = module?.default;
  return typeof inner?.canJoin === 'function' ? (inner.canJoin as CanJoin) : undefined;
}

/** Imports the module at `modulePath` and returns its `canJoin`; throws ConfigError when it cannot. */
export async function loadCanJoin(modulePath: string): Promise<CanJoin> {
  const path = resolve(modulePath);
  let loaded: unknown;
  try {
    loaded = await import(path);
  } catch (error) {
    throw new ConfigError([`CONVERSATION_ACCESS_MODULE ${path} could not be loaded: ${(error as Error).message}`]);
  }
  const canJoin = findCanJoin(loaded);
  if (!canJoin) throw new ConfigError([`CONVERSATION_ACCESS_MODULE ${path} exports no canJoin function`]);
  return canJoin;
}
