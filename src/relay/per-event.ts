/**
 * What the relay sends for an event, built once however many sockets of a room receive it.
 */
import type { StoredEvent } from '../broker/event';

/**
 * A memo of one slot: the hub hands an event to every member of its room in one loop, so what is built
 * for the first member is reused by the others. One slot is enough for that; it adds nothing per event
 * (no WeakMap entry for the collector to sweep) and keeps only the last event alive.
 */
export function builtOncePerEvent<T>(build: (event: StoredEvent) => T): (event: StoredEvent) => T {
  let last: StoredEvent | undefined;
  let built: T | undefined;
  return (event) => {
    if (event !== last || built === undefined) {
      built = build(event);
      last = event;
    }
    return built;
  };
}
