/**
 * The per-delivery metrics cost a counter each and still read right when scraped: the relay's delivered
 * counter (plain numbers exported at collect), its latency histogram (once per event however many
 * desktops receive it, and one event in LATENCY_SAMPLE_EVERY), and the event functions' prebuilt
 * counters (the same series as `increment`).
 */
import assert from 'node:assert/strict';
import { DATA_TYPES } from '../src/broker/event';
import { counter, counterValue, increment } from '../src/metrics/counters';
import { LATENCY_SAMPLE_EVERY, RelayMetrics } from '../src/relay/metrics';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('delivery metrics', () => {
  it('counts every delivery by type and times one event in LATENCY_SAMPLE_EVERY, on its first delivery', async () => {
    const metrics = new RelayMetrics();
    const ackTime = new Date(Date.now() - 30).toISOString();
    const fanned = { type: 'new-message-event', ackTime };
    metrics.countDelivery(fanned); // timed: the first event
    metrics.countDelivery(fanned); // a second desktop of the same conversation: counted, not timed again
    for (let i = 1; i < LATENCY_SAMPLE_EVERY; i++) metrics.countDelivery({ type: 'conversation-lifecycle-event', ackTime });
    metrics.countDelivery({ type: 'new-message-event', ackTime: 'not a time' }); // its turn, but no readable time
    for (let i = 1; i < LATENCY_SAMPLE_EVERY; i++) metrics.countDelivery({ type: 'new-message-event', ackTime });
    metrics.countDelivery({ type: 'new-message-event', ackTime }); // timed
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'relay_events_delivered_total{type="new-message-event"}'), 3 + LATENCY_SAMPLE_EVERY);
    assert.equal(sample(text, 'relay_events_delivered_total{type="conversation-lifecycle-event"}'), LATENCY_SAMPLE_EVERY - 1);
    // Two events were timed, each about 30 ms old: both in the 50 ms bucket, none in the 10 ms one.
    assert.equal(sample(text, 'relay_delivery_latency_seconds_count'), 2);
    assert.equal(sample(text, 'relay_delivery_latency_seconds_bucket{le="0.01"}'), 0);
    assert.equal(sample(text, 'relay_delivery_latency_seconds_bucket{le="0.05"}'), 2);
    // A scrape does not double what the next scrape reads.
    assert.equal(sample(await metrics.registry.metrics(), 'relay_events_delivered_total{type="new-message-event"}'), 3 + LATENCY_SAMPLE_EVERY);
  });

  it('counts every data type under its own name, and a type it does not know as well', async () => {
    const metrics = new RelayMetrics();
    const ackTime = new Date().toISOString();
    for (const [n, type] of DATA_TYPES.entries()) for (let i = 0; i <= n; i++) metrics.countDelivery({ type, ackTime });
    metrics.countDelivery({ type: 'future-event', ackTime });
    const text = await metrics.registry.metrics();
    for (const [n, type] of DATA_TYPES.entries()) assert.equal(sample(text, `relay_events_delivered_total{type="${type}"}`), n + 1, type);
    assert.equal(sample(text, 'relay_events_delivered_total{type="future-event"}'), 1);
  });

  it('a prebuilt counter adds to the same series as increment with the labels in any order', () => {
    const labels = { type: 'delivery-metrics-test', outcome: 'published' };
    const before = counterValue('events_received_total', labels);
    const published = counter('events_received_total', labels);
    published();
    published(2);
    increment('events_received_total', { outcome: 'published', type: 'delivery-metrics-test' });
    assert.equal(counterValue('events_received_total', { outcome: 'published', type: 'delivery-metrics-test' }), before + 4);
  });
});
