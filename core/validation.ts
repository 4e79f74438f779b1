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
