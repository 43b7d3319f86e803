/** Small statistics helpers shared by the benchmarks. */

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN;

  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The `p`-th percentile (0–100) by nearest rank. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;

  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** `value / baseline`, rounded to three decimals. */
export function ratio(value, baseline) {
  return round(value / baseline, 3);
}

/** Round to `digits` decimals. */
export function round(value, digits = 0) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Spread of a sample as (max - min) / median, a quick noise indicator. */
export function spread(values) {
  if (values.length < 2) return 0;

  return round((Math.max(...values) - Math.min(...values)) / median(values), 3);
}
