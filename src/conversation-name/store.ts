/**
 * Where conversation names are kept for the conversation-name API: a telephony platform stores the
 * Dialogflow conversation of a call under a key it knows (a phone number, a call id), and the agent
 * desktop looks it up by that key.
 *
 * Contract, for every implementation:
 * - entries are kept under `sha256(conversationIntegrationKey)` (the key is often a phone number: it is
 *   never stored or logged in the clear), and the key is hashed here, not by callers;
 * - every `set` (re)starts the entry's time to live; an expired entry reads as absent;
 * - `get` is one cheap read (platforms poll it every second per call);
 * - a store that cannot be reached rejects with UnavailableError (HTTP 503).
 */
import { createHash } from 'node:crypto';

export interface ConversationNameStore {
  /** Keeps `name` under `key` for the store's TTL, replacing what was there. */
  set(key: string, name: string): Promise<void>;
  /** The name kept under `key`, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Forgets `key`; resolves true when there was an entry. */
  delete(key: string): Promise<boolean>;
}

/** The hex sha256 of an integration key: what the Python original keyed Redis by. */
export function hashIntegrationKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
