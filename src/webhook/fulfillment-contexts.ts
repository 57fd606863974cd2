/**
 * `agent.context` of the `dialogflow-fulfillment` library: `set`, `get`, `delete` and iteration over the
 * session's contexts by short name, with the library's shapes (`{name, lifespan, parameters}`). Every
 * change goes to the typed module's response builder, which sends only what changed beside the contexts
 * that arrived with a lifespan, so setting one context never expires another.
 */
import { shortContextName } from './request';
import type { ResponseBuilder } from './response';
import type { Context, JsonObject } from './types';

/** A context as the library shows it. */
export interface FulfillmentContext {
  name: string;
  lifespan?: number;
  parameters?: JsonObject;
}

/** The library's lifespan for a context set without one (its documented default). */
const DEFAULT_LIFESPAN = 5;

export class Contexts implements Iterable<FulfillmentContext> {
  private readonly contexts = new Map<string, FulfillmentContext>();

  constructor(
    input: readonly Context[],
    private readonly builder: ResponseBuilder,
  ) {
    for (const context of input) {
      const name = shortContextName(context.name);
      this.contexts.set(name, { name, lifespan: context.lifespanCount, parameters: context.parameters });
    }
  }

  /**
   * Sets a context: `set(name, lifespan?, parameters?)` or `set({name, lifespan, parameters})`. As in the
   * library, an active context keeps its lifespan and parameters where they are not given; a new one
   * lives 5 turns.
   */
  set(name: string | FulfillmentContext, lifespan?: number | null, parameters?: JsonObject): void {
    if (!name || (typeof name !== 'string' && typeof name.name !== 'string')) {
      throw new Error('Required "name" argument must be a string or an object with a string attribute "name"');
    }
    if (typeof name !== 'string') {
      parameters = name.parameters;
      lifespan = name.lifespan;
      name = name.name;
    }
    const short = name.toLowerCase();
    const existing = this.contexts.get(short);
    const next: FulfillmentContext = { name: short };
    next.lifespan = lifespan ?? existing?.lifespan ?? DEFAULT_LIFESPAN;
    const params = parameters !== undefined ? parameters : existing?.parameters;
    if (params !== undefined) next.parameters = params;
    this.contexts.set(short, next);
    if (next.lifespan === 0) this.builder.deleteContext(short);
    else this.builder.setContext(short, { lifespan: next.lifespan, parameters: next.parameters });
  }

  /** An active context by short name, with this request's changes; undefined when there is none. */
  get(name: string): FulfillmentContext | undefined {
    return this.contexts.get(name.toLowerCase());
  }

  /** Ends a context (lifespan 0). */
  delete(name: string): void {
    this.set(name, 0);
  }

  [Symbol.iterator](): Iterator<FulfillmentContext> {
    return [...this.contexts.values()][Symbol.iterator]();
  }

  /** Leaves a context out of the answer (the deprecated `clearContext`): Dialogflow keeps it as it was. */
  removeOutgoing(name: string): void {
    this.contexts.delete(name.toLowerCase());
    this.builder.forgetContext(name);
  }
}
