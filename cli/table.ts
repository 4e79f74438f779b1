/**
 * A plain-text table for terminals: columns padded to their widest cell, long cells cut with "…".
 */

/** Formats rows under a header; `max` caps each column's width. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  max: readonly number[] = [],
): string {
  const cut = (s: string, i: number): string => {
    const m = max[i];
    return m !== undefined && s.length > m ? `${s.slice(0, m - 1)}…` : s;
  };
  const cells = [header, ...rows].map((r) => r.map((c, i) => cut(c, i)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
