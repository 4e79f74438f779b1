/**
 * One way to say what is wrong with data that failed its schema: `field "a.b[2]": message`.
 *
 * Used wherever Divest parses something from outside (catalog files, receipts, journal lines, IPC
 * requests, CLI options, helper requests), so every refusal reads the same and names the field.
 */
import type * as z from 'zod';

/** `a.b[2].c`; the empty path is `(top level)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** One issue in words; `field` overrides how the path is named (catalog entries by id). */
export function describeIssue(issue: z.core.$ZodIssue, field?: string): string {
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return `field "${field ?? formatPath(issue.path)}": ${issue.message}${keys}`;
}

/** Every issue of a failed parse, one sentence each. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => describeIssue(i));
}

/** The first few issues joined into one line (for one-line error messages). */
export function issuesInOneLine(issues: readonly z.core.$ZodIssue[], max = 5): string {
  const list = describeIssues(issues);
  const more = list.length > max ? `; and ${list.length - max} more` : '';
  return `${list.slice(0, max).join('; ')}${more}`;
}

/**
 * A JSON syntax error in words that quote nothing of the file: V8's messages repeat the offending
 * character and the first characters of the text (`Unexpected token 'r', "root:x:0:0"... is not
 * valid JSON`), which would echo a file the user named (say `/etc/shadow` as a catalog) back to
 * whoever asked. The position, when V8 gives one, is kept.
 */
export function jsonSyntaxMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/end of JSON input/i.test(message)) return 'the text ends too early (is it cut off?)';
  const position = /position (\d+)/.exec(message)?.[1];
  const at = position !== undefined ? ` at character ${position}` : '';
  // "Unexpected token 'r', "root:x:0:0"... is not valid JSON": the token and the snippet are the file's.
  if (/^Unexpected token/.test(message)) return `an unexpected character${at}`;
  // "Expected ',' or '}' after property value in JSON at position 12 (line 1 column 13)": V8's own words.
  const words = message.replace(/ (in JSON )?at position \d+.*$/s, '').replace(/, ".*$/s, '');
  return /["']/.test(words.replace(/'[,:\]}[]'|'[{}]'/g, '')) ? `malformed${at}` : `${words}${at}`;
}

/**
 * The deepest nesting of arrays and objects in a JSON text, scanned linearly without parsing
 * (strings skipped), stopping once `limit` is passed: parsing and then walking a document nested
 * millions deep takes seconds and gigabytes, so such a file is refused before it is parsed.
 */
export function jsonDepthExceeds(text: string, limit: number): { position: number } | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return { position: i };
    } else if (c === 93 || c === 125) depth--;
  }
  return undefined;
}
