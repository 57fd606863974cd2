/**
 * Remembers successful platform checks for a short while, so a desktop that renews its token every
 * minute does not call its identity provider every minute. Keys are SHA-256 digests of the credential
 * (with the provider's name): the cache never holds a token. In memory, per instance, bounded in size;
 * a miss only costs one provider call.
 */
import { createHash } from 'node:crypto';
import type { Identity } from './providers/provider';

/** The cache key of a credential: a SHA-256 digest, never the credential itself. */
export function credentialKey(provider: string, ...parts: string[]): string {
  const hash = createHash('sha256').update(provider);
  for (const part of parts) hash.update('\0').update(part);
  return hash.digest('base64url');
}

export class CheckCache {
  private readonly entries = new Map<string, { identity: Identity; expiresAt: number }>();

  constructor(
    /** How long a success is remembered; 0 disables the cache. */
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, now = Date.now()): Identity | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  set(key: string, identity: Identity, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { identity, expiresAt: now + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
