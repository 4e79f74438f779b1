/**
 * Finds an object key that appears twice in a JSON text.
 *
 * JSON.parse keeps the last of two same-named keys, other parsers the first: a receipt with a
 * duplicated key can show an auditor's other tool different content from what Divest verified.
 * The signature covers what JSON.parse saw, so such a file is refused outright. Keys are compared
 * after unescaping ("kind" and "\u006bind" are the same key).
 */

export interface DuplicateKey {
  key: string;
  /** Where the object holding it is, e.g. `signature` or `actions[2]`. */
  path: string;
  /** Character offset of the second occurrence. */
  position: number;
}

/** The first duplicated key in `text` (which must already be valid JSON), or undefined. */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  type Frame =
    | { kind: 'object'; keys: Set<string>; path: string; pendingKey?: string }
    | { kind: 'array'; index: number; path: string };
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'array') return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.pendingKey ?? ''}` : (top.pendingKey ?? '');
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // Read the whole string token, honouring escapes.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(token) as string;
        if (top.keys.has(key)) return { key, path: top.path || '(top level)', position: i };
        top.keys.add(key);
        top.pendingKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{') {
      stack.push({ kind: 'object', keys: new Set(), path: childPath() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ kind: 'array', index: 0, path: childPath() });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') expectKey = true;
      else if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  return undefined;
}

/** A JSON text that one parser reads differently from another, or that has two spellings. */
export interface StrictJsonProblem {
  message: string;
  position: number;
}

/**
 * Numbers written other than as RFC 8785 writes them (`1.0`, `1e-400`, `-0`, `1E2`): the signature
 * covers the canonical form, so such a file would verify while saying something else to a reader
 * or to another program. And escaped lone surrogates (`"\uD800"`), which RFC 8785 cannot encode.
 */
export function findNonCanonicalToken(text: string): StrictJsonProblem | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(i, j + 1)) as string;
      if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value))
        return {
          message: 'a string holds a lone UTF-16 surrogate, which no canonical form can encode',
          position: i,
        };
      i = j + 1;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const token = m?.[0] ?? c;
      const canonical = String(Number(token));
      if (token !== canonical && !(canonical === '0' && token === '0'))
        return {
          message: `the number ${token} is not written in its canonical form (${canonical})`,
          position: i,
        };
      i += token.length;
      continue;
    }
    i++;
  }
  return undefined;
}
