/**
 * Idempotency under Dialogflow's retries: the answer sent for a request is kept for a TTL, so a
 * retried request gets the same answer without running its handler again (keyed by `answerKey`). Two implementations keep one
 * contract: `MemoryResponseCache` (one process; the default without Redis) and `RedisResponseCache`
 * (shared by every instance). The router also coalesces concurrent requests with the same id in one
 * process, so a retry that arrives while the first try is still running waits for its answer.
 *
 * Contract:
 * - `get` resolves with the stored JSON, or undefined when there is none or it expired.
 * - `set` stores the JSON for the TTL, replacing an earlier answer.
 * - Either rejects with `UnavailableError` when the store cannot be reached; the router then answers
 *   anyway (an answer in time matters more than deduplication: see docs/webhook.md).
 */

import type { WebhookRequest } from './types';

/**
 * The key an answer is kept under. Not the `responseId` alone: within one detect-intent call a follow-up
 * event reaches the webhook again with the same `responseId` but another intent (or the same intent with
 * the event's parameters), and that call needs its own answer. A retry repeats the request, so it gets the
 * same key.
 */
export function answerKey(request: WebhookRequest): string {
  const result = request.queryResult;
  return JSON.stringify([
    request.responseId,
    result.intent?.name ?? '',
    result.intent?.displayName ?? '',
    result.action ?? '',
    result.queryText ?? '',
    result.parameters ?? {},
  ]);
}

export interface ResponseCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, json: string): Promise<void>;
}

/** Answers in process memory, bounded in count (oldest dropped first) and expiring after the TTL. */
export class MemoryResponseCache implements ResponseCache {
  private readonly entries = new Map<string, { readonly json: string; readonly expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.json;
  }

  async set(key: string, json: string): Promise<void> {
    // Re-inserting moves the key to the end, so Map order stays oldest-first.
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: this.now() + this.ttlSeconds * 1000 });
    this.evict();
  }

  /** Entries held (expired ones included until touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && entry.expiresAt > now) break;
      this.entries.delete(key);
    }
  }
}
