/**
 * The join decision, shared by both relay protocols: may this token join this conversation?
 *
 * 1. Project binding, always: a conversation of another project than the token's is `forbidden`.
 * 2. In `custom` mode, the integrator's `canJoin` (src/access/module.ts) decides next. Its answers, yes
 *    and no alike, are kept per (user, conversation) for the cache TTL, and a second join asking while
 *    the first answer is on its way shares it. A throw or a timeout fails closed with `unavailable` and
 *    is not cached, so the next join asks again; such failures log one ERROR per minute at most (a
 *    module that is down would otherwise log once per join).
 *
 * Every refusal logs a WARNING naming the user and the conversation (never anything said in it).
 */
import type { TokenClaims } from '../auth/jwt';
import type { ConversationName } from '../conversation';
import type { Logger } from '../log';
import type { AccessConfig } from './config';
import { loadCanJoin, type CanJoin } from './module';
import { OTHER_PROJECT_REASON, tokenOpensProject } from './project';

/** The answer to a join: allowed, or refused with an error code and a sentence for the desktop. */
export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'forbidden' | 'unavailable'; readonly message: string };

const ALLOWED: AccessDecision = Object.freeze({ allowed: true });
const OTHER_PROJECT: AccessDecision = Object.freeze({ allowed: false, code: 'forbidden', message: OTHER_PROJECT_REASON });
const REFUSED: AccessDecision = Object.freeze({ allowed: false, code: 'forbidden', message: 'not allowed to join this conversation' });
const UNAVAILABLE: AccessDecision = Object.freeze({ allowed: false, code: 'unavailable', message: 'access check unavailable; retry' });

/** Interval of the ERROR a failing module logs. */
const ERROR_INTERVAL_MS = 60_000;
/** Answers kept at most; the oldest goes first (a relay's memory is bounded by its settings). */
const MAX_CACHED = 50_000;

export interface AccessOptions {
  readonly log: Logger;
  /** The integrator's decision; absent in `project` mode. */
  readonly canJoin?: CanJoin;
  readonly cacheSeconds: number;
  readonly timeoutMs: number;
  readonly now?: () => number;
}

interface Cached {
  readonly answer: Promise<boolean>;
  /** Infinity while the answer is on its way. */
  expiresAt: number;
}

class TimedOut extends Error {}

export class ConversationAccess {
  private readonly cache = new Map<string, Cached>();
  private readonly now: () => number;
  private lastErrorAt = -Infinity;
  private suppressed = 0;

  constructor(private readonly options: AccessOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Project binding only (`CONVERSATION_ACCESS=project`, and every relay built without a setting). */
  static projectOnly(log: Logger): ConversationAccess {
    return new ConversationAccess({ log, cacheSeconds: 0, timeoutMs: 0 });
  }

  /** Decides one join; never rejects. */
  async decide(claims: TokenClaims, conversation: ConversationName): Promise<AccessDecision> {
    const user = claims.gcp_agent_assist_user;
    if (!tokenOpensProject(claims, conversation.project)) {
      this.options.log.warn('join of another project refused', {
        user,
        tokenProject: claims.gcp_agent_assist_project,
        conversationProject: conversation.project,
      });
      return OTHER_PROJECT;
    }
    if (!this.options.canJoin) return ALLOWED;
    let allowed: boolean;
    try {
      allowed = await this.ask(claims, conversation.key);
    } catch (error) {
      this.reportFailure(error, conversation.key);
      return UNAVAILABLE;
    }
    if (allowed) return ALLOWED;
    this.options.log.warn('join refused by the access module', { user, conversation: conversation.key });
    return REFUSED;
  }

  private ask(claims: TokenClaims, conversation: string): Promise<boolean> {
    if (this.options.cacheSeconds === 0) return this.call(claims, conversation);
    const key = JSON.stringify([claims.gcp_agent_assist_user, conversation]);
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.answer;
    if (hit) this.cache.delete(key);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    const entry: Cached = { answer: this.call(claims, conversation), expiresAt: Infinity };
    this.cache.set(key, entry);
    entry.answer.then(
      () => (entry.expiresAt = this.now() + this.options.cacheSeconds * 1000),
      () => {
        if (this.cache.get(key) === entry) this.cache.delete(key);
      },
    );
    return entry.answer;
  }

  /** One call of the module, bounded by the timeout (the module is told through its abort signal). */
  private async call(claims: TokenClaims, conversation: string): Promise<boolean> {
    const canJoin = this.options.canJoin!;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new TimedOut(`canJoin did not answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
    });
    const who = { user: claims.gcp_agent_assist_user, project: claims.gcp_agent_assist_project, claims };
    try {
      // `Promise.resolve().then` turns a synchronous throw of the module into a rejection too.
      const answer = await Promise.race([Promise.resolve().then(() => canJoin(who, conversation, { signal: controller.signal })), timeout]);
      return Boolean(answer);
    } finally {
      clearTimeout(timer);
    }
  }

  private reportFailure(error: unknown, conversation: string): void {
    const now = this.now();
    if (now - this.lastErrorAt < ERROR_INTERVAL_MS) {
      this.suppressed += 1;
      return;
    }
    this.options.log.error('conversation access check failed; joins refused', {
      reason: error instanceof TimedOut ? 'timeout' : 'threw',
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      conversation,
      suppressedSinceLast: this.suppressed,
    });
    this.lastErrorAt = now;
    this.suppressed = 0;
  }
}

/** Builds the access decision of a configuration; loads a custom module now, so a bad one stops the start. */
export async function createConversationAccess(config: AccessConfig, log: Logger): Promise<ConversationAccess> {
  if (config.mode === 'project') return ConversationAccess.projectOnly(log);
  const canJoin = await loadCanJoin(config.modulePath ?? '');
  log.notice('conversation access: custom module loaded', { cacheSeconds: config.cacheSeconds, timeoutMs: config.timeoutMs });
  return new ConversationAccess({ log, canJoin, cacheSeconds: config.cacheSeconds, timeoutMs: config.timeoutMs });
}
