/**
 * A small YAML writer for the generated Fleet files: mappings, sequences and scalars. Strings are
 * written as JSON strings (a subset of YAML's double-quoted scalars), or as literal blocks (`|-`)
 * when they span lines, so the SQL stays readable and nothing in it needs escaping.
 */

export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  return JSON.stringify(v);
}

function isBlock(v: YamlValue): v is string {
  return typeof v === 'string' && v.includes('\n') && !/[\t\r]/.test(v) && !/^\s/.test(v) && !/ \n/.test(v);
}

function block(s: string, indent: string): string {
  return `|-\n${s
    .split('\n')
    .map((l) => (l === '' ? '' : `${indent}${l}`))
    .join('\n')}`;
}

function emit(v: YamlValue, indent: string): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return v
      .map((item) => {
        const body = emit(item, `${indent}  `);
        return `\n${indent}- ${typeof item === 'object' && item !== null && !Array.isArray(item) ? body.trimStart() : body.trimStart()}`;
      })
      .join('');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined) as [string, YamlValue][];
    if (entries.length === 0) return '{}';
    return entries
      .map(([k, x]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k);
        if (isBlock(x)) return `\n${indent}${key}: ${block(x, `${indent}  `)}`;
        if (
          x !== null &&
          typeof x === 'object' &&
          (Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0)
        )
          return `\n${indent}${key}:${emit(x, Array.isArray(x) ? indent : `${indent}  `)}`;
        return `\n${indent}${key}: ${emit(x, indent)}`;
      })
      .join('');
  }
  if (isBlock(v)) return block(v, indent);
  return scalar(v);
}

/** The YAML document for `value`, after `header` comment lines (already prefixed with `#`). */
export function toYaml(value: YamlValue, header = ''): string {
  const body = emit(value, '').replace(/^\n/, '');
  return `${header ? `${header}\n` : ''}${body}\n`;
}
