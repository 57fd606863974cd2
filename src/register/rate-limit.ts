/**
 * Limits failed registrations per client address: after `maxFailures` refusals within a window, the
 * address is answered 429 (without calling any provider) until the window ends. Successes are never
 * counted, and a cached success is served even to a limited address, so one bad desktop behind a call
 * center's shared NAT address does not lock its colleagues out for longer than the window.
 *
 * In memory, per instance: with several instances an attacker gets `maxFailures` per instance per window.
 * That bounds guessing well enough for tokens of 100+ bits; a shared limit would need Redis on the
 * registration path, which this deliberately avoids. IPv6 addresses count per /64, since one host
 * usually holds a whole /64.
 */
import { isIPv6 } from 'node:net';
import { RateLimitedError } from './errors';

export interface FailureLimits {
  readonly maxFailures: number;
  readonly windowSeconds: number;
  /** Addresses remembered at most; the oldest window is forgotten first. */
  readonly maxAddresses?: number;
}

/** The rate-limit bucket of an address: IPv4 as is, IPv6 by its /64 prefix. */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export class FailureLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(private readonly limits: FailureLimits) {}

  /** Throws RateLimitedError when the address has used up its failures in the current window. */
  admit(address: string, now = Date.now()): void {
    const key = addressBucket(address);
    const window = this.windows.get(key);
    if (!window) return;
    if (window.resetAt <= now) {
      this.windows.delete(key);
      return;
    }
    if (window.failures >= this.limits.maxFailures) throw new RateLimitedError(Math.max(1, Math.ceil((window.resetAt - now) / 1000)));
  }

  /** Counts one failure of the address. */
  fail(address: string, now = Date.now()): void {
    const key = addressBucket(address);
    const window = this.windows.get(key);
    if (window && window.resetAt > now) {
      window.failures++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= (this.limits.maxAddresses ?? 50_000)) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(key, { failures: 1, resetAt: now + this.limits.windowSeconds * 1000 });
  }
}
