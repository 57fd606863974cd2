/**
 * The per-delivery metrics cost a counter each and still read right when scraped: the relay's delivered
 * counter (plain numbers exported at collect), its latency histogram (once per event however many
 * desktops receive it, and at most once per LATENCY_SAMPLE_MS), and the event functions' prebuilt
 * counters (the same series as `increment`).
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { counter, counterValue, increment } from '../src/metrics/counters';
import { LATENCY_SAMPLE_MS, RelayMetrics } from '../src/relay/metrics';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('delivery metrics', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: Date.parse('2026-12-01T12:00:00.000Z'), toFake: ['Date'] })));
  afterEach(() => clock.restore());

  it('counts every delivery by type and times each event once, on its first delivery, sampling at most one per interval', async () => {
    const metrics = new RelayMetrics();
    const ackTime = new Date(Date.now() - 30).toISOString();
    const fanned = { type: 'new-message-event', ackTime };
    const other = { type: 'conversation-lifecycle-event', ackTime };
    metrics.countDelivery(fanned);
    metrics.countDelivery(fanned); // a second desktop of the same conversation
    metrics.countDelivery(other); // within the sampling interval: counted, not timed
    clock.tick(LATENCY_SAMPLE_MS);
    metrics.countDelivery({ type: 'new-message-event', ackTime: 'not a time' });
    clock.tick(LATENCY_SAMPLE_MS);
    metrics.countDelivery({ type: 'new-message-event', ackTime });
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, 'relay_events_delivered_total{type="new-message-event"}'), 4);
    assert.equal(sample(text, 'relay_events_delivered_total{type="conversation-lifecycle-event"}'), 1);
    // Timed: the first event (30 ms old) and the last (50 ms old by then); the one in between had no readable time.
    assert.equal(sample(text, 'relay_delivery_latency_seconds_count'), 2);
    assert.equal(sample(text, 'relay_delivery_latency_seconds_bucket{le="0.02"}'), 0);
    assert.equal(sample(text, 'relay_delivery_latency_seconds_bucket{le="0.05"}'), 2);
    // A scrape does not double what the next scrape reads.
    assert.equal(sample(await metrics.registry.metrics(), 'relay_events_delivered_total{type="new-message-event"}'), 4);
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
