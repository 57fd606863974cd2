/**
 * The relay's Prometheus metrics, served at `/metrics`. Each relay owns its registry (tests run
 * several relays in one process). The plain counters of src/metrics/counters.ts (event functions
 * mounted in the same process) are exported too.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DATA_TYPES } from '../broker/event';
import { counterSeries } from '../metrics/counters';

/** The delivery-latency histogram times one event in this many (the first of each run of them). */
export const LATENCY_SAMPLE_EVERY = 32;

const FUNCTION_COUNTERS = ['events_received_total', 'events_undeliverable_total', 'events_rejected_total', 'events_failed_total'];

export class RelayMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'relay_connections', help: 'Open desktop connections', labelNames: ['protocol'], registers: [this.registry] });
  readonly rooms = new Gauge({ name: 'relay_conversations', help: 'Conversations with at least one local desktop', registers: [this.registry] });
  readonly joins = new Counter({ name: 'relay_joins_total', help: 'Conversation joins', labelNames: ['protocol'], registers: [this.registry] });
  readonly joinsRefused = new Counter({ name: 'relay_joins_refused_total', help: 'Conversation joins refused, by code (forbidden, unavailable)', labelNames: ['code'], registers: [this.registry] });
  readonly socketsRefused = new Counter({ name: 'relay_sockets_refused_total', help: 'Connections refused because their user held RELAY_MAX_SOCKETS_PER_USER', labelNames: ['protocol'], registers: [this.registry] });
  /**
   * Deliveries per data type: plain numbers, read when scraped (a delivery costs one increment), by the
   * type's place in DATA_TYPES, found by comparing (the type of each event is a new string, which a Map
   * would hash on every delivery); any other type, which parsing does not let through, in a Map.
   */
  private readonly deliveredByType: number[] = DATA_TYPES.map(() => 0);
  private readonly deliveredOther = new Map<string, number>();
  private readonly delivered = new Counter({
    name: 'relay_events_delivered_total',
    help: 'Events handed to desktops',
    labelNames: ['type'],
    registers: [this.registry],
    collect: () => {
      this.delivered.reset();
      for (const [index, value] of this.deliveredByType.entries()) if (value > 0) this.delivered.inc({ type: DATA_TYPES[index] }, value);
      for (const [type, value] of this.deliveredOther) this.delivered.inc({ type }, value);
    },
  });
  /** The event the latency histogram saw last: an event fanned out to many desktops is timed once. */
  private timed?: object;
  /** Events seen (first deliveries): the histogram times the first and every LATENCY_SAMPLE_EVERY-th after it. */
  private seen = 0;
  readonly dropped = new Counter({ name: 'relay_events_dropped_total', help: 'Events not delivered, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly slowConsumers = new Counter({ name: 'relay_slow_consumer_closes_total', help: 'Sockets closed for reading too slowly', labelNames: ['protocol'], registers: [this.registry] });
  readonly reconnects = new Counter({ name: 'relay_redis_resubscribes_total', help: 'Live-feed gaps closed by a backfill after Redis came back', registers: [this.registry] });
  readonly backfilled = new Counter({ name: 'relay_backfilled_events_total', help: 'Events read from history after a live-feed gap', registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'relay_delivery_latency_seconds',
    help: `From the event function receiving a notification to the relay sending it to its first desktop (sampled: one event in ${LATENCY_SAMPLE_EVERY})`,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /**
   * Counts one delivery of an event. One event in LATENCY_SAMPLE_EVERY is timed (`ackTime` to now), on its
   * first delivery: a delivery costs a counter, and the sample is by count, so a burst of late events is
   * sampled as densely as a quiet stream.
   */
  countDelivery(event: { readonly type: string; readonly ackTime: string }): void {
    const index = (DATA_TYPES as readonly string[]).indexOf(event.type);
    if (index >= 0) this.deliveredByType[index] += 1;
    else this.deliveredOther.set(event.type, (this.deliveredOther.get(event.type) ?? 0) + 1);
    if (event === this.timed) return;
    this.timed = event;
    if (this.seen++ % LATENCY_SAMPLE_EVERY !== 0) return;
    const ack = Date.parse(event.ackTime);
    if (!Number.isNaN(ack)) this.latency.observe(Math.max(0, Date.now() - ack) / 1000);
  }

  constructor() {
    for (const name of FUNCTION_COUNTERS) {
      const labelNames = ['type', 'reason', 'outcome'];
      new Counter({
        name: `function_${name}`,
        help: `Event function counter ${name} (functions mounted in this process)`,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const { labels, value } of counterSeries(name)) this.inc(labels, value);
        },
      });
    }
  }
}
