/**
 * A plain-text table for terminals: columns padded to their widest cell, long cells cut with "…".
 */

/**
 * Formats rows under a header; `max` caps each column's width. With `wrapLast`, the last column
 * is not cut but wrapped at word boundaries onto continuation lines that start under it.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  max: readonly number[] = [],
  options: { wrapLast?: boolean } = {},
): string {
  const last = header.length - 1;
  const cut = (s: string, i: number): string => {
    const m = max[i];
    if (options.wrapLast && i === last) return s;
    return m !== undefined && s.length > m ? `${s.slice(0, m - 1)}…` : s;
  };
  const cells = [header, ...rows].map((r) => r.map((c, i) => cut(c, i)));
  const widths = header.map((_, i) =>
    i === last && options.wrapLast
      ? (max[i] ?? Infinity)
      : Math.max(...cells.map((r) => (r[i] ?? '').length)),
  );
  const indent = widths.slice(0, last).reduce((a, w) => a + w + 2, 0);
  return cells
    .map((r) => {
      const head = r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .slice(0, last)
        .join('  ');
      const tail = r[last] ?? '';
      const lastWidth = widths[last] ?? Infinity;
      if (!options.wrapLast || tail.length <= lastWidth) return `${head}  ${tail}`.trimEnd();
      const [first, ...more] = wrap(tail, lastWidth).split('\n');
      return [`${head}  ${first}`, ...more.map((l) => `${' '.repeat(indent)}${l}`)].join('\n');
    })
    .join('\n');
}

/**
 * Wraps prose at word boundaries to `width` columns; `first` prefixes the first line, `rest` the
 * others (a word longer than a line stays whole rather than being cut).
 */
export function wrap(text: string, width: number, first = '', rest = first): string {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  out.push(line);
  return out.join('\n');
}
