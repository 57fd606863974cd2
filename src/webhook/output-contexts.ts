/**
 * The contexts a webhook answer sends back (`outputContexts`), by short name: the request's active
 * contexts, and what the handler set, updated, deleted or forgot. What is sent never expires a context
 * the handler did not touch: the changed contexts go out beside the request's others as they arrived,
 * except those that arrived without a lifespan (`__system_counters__`, the Assistant's capability
 * contexts), since a context without `lifespanCount` means lifespan 0, "expire now".
 */
import { shortContextName } from './request';
import type { Context, JsonObject } from './types';

/** Dialogflow's default lifespan of a context set without one. */
const DEFAULT_LIFESPAN = 5;

export class OutputContexts {
  private readonly contexts = new Map<string, Context>();
  /** Short names of the contexts a handler set, updated or deleted. */
  private readonly changed = new Set<string>();
  /** The request's contexts as they arrived. */
  private readonly original = new Map<string, Context>();

  constructor(
    private readonly session: string,
    active: readonly Context[],
  ) {
    for (const context of active) {
      this.contexts.set(shortContextName(context.name), { ...context });
      this.original.set(shortContextName(context.name), { ...context });
    }
  }

  set(name: string, lifespan: number | undefined, parameters: JsonObject | undefined): void {
    const short = name.toLowerCase();
    const context: Context = { name: `${this.session}/contexts/${short}`, lifespanCount: lifespan ?? DEFAULT_LIFESPAN };
    if (parameters) context.parameters = structuredClone(parameters);
    this.contexts.set(short, context);
    this.changed.add(short);
  }

  /** Throws when the context is not active. */
  updateLifespan(name: string, lifespan: number): void {
    const short = name.toLowerCase();
    const context = this.contexts.get(short);
    if (!context) throw new Error(`context "${name}" is not active`);
    context.lifespanCount = lifespan;
    this.changed.add(short);
  }

  delete(name: string): void {
    const short = name.toLowerCase();
    this.contexts.set(short, { name: `${this.session}/contexts/${short}`, lifespanCount: 0 });
    this.changed.add(short);
  }

  /** Undoes the handler's changes to a context: the answer says nothing about it. */
  forget(name: string): void {
    const short = name.toLowerCase();
    this.changed.delete(short);
    const original = this.original.get(short);
    if (original) this.contexts.set(short, { ...original });
    else this.contexts.delete(short);
  }

  /** `outputContexts`, or undefined when the handler changed none (Dialogflow keeps the intent's own). */
  toJson(): Context[] | undefined {
    if (this.changed.size === 0) return undefined;
    return [...this.contexts.entries()]
      .filter(([short, context]) => this.changed.has(short) || typeof context.lifespanCount === 'number')
      .map(([, context]) => context);
  }
}
