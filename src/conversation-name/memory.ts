/**
 * The conversation-name store of the local stack without Redis: one process, entries in a Map with
 * their expiry time.
 */
import { hashIntegrationKey, type ConversationNameStore } from './store';

/** Sweep expired entries once per this many writes, so unread entries do not pile up. */
const SWEEP_EVERY = 1000;

export class MemoryConversationNameStore implements ConversationNameStore {
  private readonly entries = new Map<string, { name: string; expiresAt: number }>();
  private writes = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async set(key: string, name: string): Promise<void> {
    if (++this.writes % SWEEP_EVERY === 0) this.sweep();
    this.entries.set(hashIntegrationKey(key), { name, expiresAt: this.now() + this.ttlSeconds * 1000 });
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(hashIntegrationKey(key))?.name;
  }

  async delete(key: string): Promise<boolean> {
    const hash = hashIntegrationKey(key);
    const existed = this.live(hash) !== undefined;
    this.entries.delete(hash);
    return existed;
  }

  /** Entries held, expired or not (for tests of the sweep). */
  get size(): number {
    return this.entries.size;
  }

  private live(hash: string): { name: string } | undefined {
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.entries.delete(hash);
    return undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [hash, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(hash);
  }
}
