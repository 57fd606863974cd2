/**
 * Message ids that carry their send time (microseconds since the epoch), so a desktop in one process
 * measures the latency of an event posted by another on the same machine.
 */

function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** A unique message id stamped with now. */
export function stampedId(sequence: number): string {
  return `m${process.pid}-${sequence}t${nowMicros()}`;
}

/** Milliseconds since a stamped id was made, or undefined for another id. */
export function latencyOf(messageId: string): number | undefined {
  const t = messageId.lastIndexOf('t');
  if (messageId.charCodeAt(0) !== 0x6d /* m */ || t < 0) return undefined;
  const sent = Number(messageId.slice(t + 1));
  return Number.isFinite(sent) ? (nowMicros() - sent) / 1000 : undefined;
}
