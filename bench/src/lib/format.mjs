/** Formatting for tables. */

/** An integer with thousands separators. */
export function fmt(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** A number with an explicit sign. */
export function signed(value) {
  return value >= 0 ? `+${value}` : String(value);
}

/** Bytes as KiB or MiB with one decimal. */
export function bytes(value) {
  const size = Math.abs(value);
  if (size >= 2 ** 20) return `${(value / 2 ** 20).toFixed(2)} MiB`;
  if (size >= 2 ** 10) return `${(value / 2 ** 10).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}

/** A framework's display name. */
export function label(framework) {
  return { express: 'Express', koa: 'Koa', hono: 'Hono (node-server)' }[framework] ?? framework;
}
