/**
 * Plain in-process counters, free to import from any function (no metrics library loaded on a cold
 * start). The relay exports them at `/metrics`; in Cloud Functions the matching ERROR/WARNING log lines
 * (same `reason` field) feed log-based metrics, as docs/operations.md shows.
 */

const counts = new Map<string, number>();

function key(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((label) => `${label}=${labels[label]}`);
  return parts.length > 0 ? `${name}{${parts.join(',')}}` : name;
}

/** Adds `by` to a counter identified by name and labels. */
export function increment(name: string, labels: Record<string, string> = {}, by = 1): void {
  const id = key(name, labels);
  counts.set(id, (counts.get(id) ?? 0) + by);
}

/**
 * One counter, its key built once: the returned function adds `by` (default 1). For hot paths, where
 * `increment` would sort and join the labels on every call.
 */
export function counter(name: string, labels: Record<string, string> = {}): (by?: number) => void {
  const id = key(name, labels);
  return (by = 1) => {
    counts.set(id, (counts.get(id) ?? 0) + by);
  };
}

/** The current value of one counter (0 when never incremented). */
export function counterValue(name: string, labels: Record<string, string> = {}): number {
  return counts.get(key(name, labels)) ?? 0;
}

/** Every counter of one name, with its labels. */
export function counterSeries(name: string): Array<{ labels: Record<string, string>; value: number }> {
  const series: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const [id, value] of counts) {
    if (id !== name && !id.startsWith(`${name}{`)) continue;
    const labels: Record<string, string> = {};
    const inner = id.slice(name.length + 1, -1);
    if (inner) for (const pair of inner.split(',')) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    series.push({ labels, value });
  }
  return series;
}
