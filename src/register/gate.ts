/**
 * The gate every registration passes: the failure rate limit of the client address, the cache of
 * recent successes, then the provider. Only refusals count as failures; a provider that is down
 * (UnavailableError) is not the caller's fault and is never cached or counted.
 */
import { CheckCache, credentialKey } from './cache';
import { RefusedError } from './errors';
import type { Identity } from './providers/provider';
import { FailureLimiter } from './rate-limit';

export interface GateOptions {
  readonly cacheSeconds: number;
  readonly maxFailures: number;
  readonly failureWindowSeconds: number;
}

/** How a check went, for the log line of the caller. */
export interface Admitted {
  readonly identity: Identity;
  readonly cached: boolean;
}

export class Gate {
  readonly cache: CheckCache;
  readonly limiter: FailureLimiter;

  constructor(options: GateOptions) {
    this.cache = new CheckCache(options.cacheSeconds * 1000);
    this.limiter = new FailureLimiter({ maxFailures: options.maxFailures, windowSeconds: options.failureWindowSeconds });
  }

  /**
   * Runs `check` for a credential unless a success for it is cached. `credential` names the provider and
   * the secret parts (hashed here, never stored). Throws RateLimitedError, RefusedError, UnavailableError.
   */
  async pass(address: string, credential: readonly string[] | undefined, check: () => Promise<Identity>): Promise<Admitted> {
    const key = credential === undefined ? undefined : credentialKey(credential[0], ...credential.slice(1));
    const hit = key === undefined ? undefined : this.cache.get(key);
    if (hit) return { identity: hit, cached: true };
    this.limiter.admit(address);
    let identity: Identity;
    try {
      identity = await check();
    } catch (error) {
      if (error instanceof RefusedError) this.limiter.fail(address);
      throw error;
    }
    if (key !== undefined) this.cache.set(key, identity);
    return { identity, cached: false };
  }
}
