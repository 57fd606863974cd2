/** Summaries of repeated rounds: the median and the worst round of each figure, and percentiles. */

/** Percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median and worst of one figure over rounds; `higherIsWorse` says which end is the worst. */
export interface Spread {
  readonly median: number;
  readonly worst: number;
  readonly rounds: readonly number[];
}

export function spread(values: readonly number[], higherIsWorse = true, digits = 2): Spread {
  const worst = higherIsWorse ? Math.max(...values) : Math.min(...values);
  return { median: round(median(values), digits), worst: round(worst, digits), rounds: values.map((v) => round(v, digits)) };
}
