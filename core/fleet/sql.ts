/**
 * Small, pure builders for osquery SQL (SQLite dialect plus osquery's `regex_match`).
 *
 * A catalog pattern is matched as `regex_match(lower(col), '<std::regex>', 0) IS NOT NULL`: the
 * function returns NULL on no match and `''` on an empty match, which SQLite treats as false, so
 * the comparison with NULL is the only correct test (research NOTES §2).
 *
 * A product's status ("banned" or "review") decided by "the first product whose pattern matches"
 * is a {@link StatusRule}: a list of (condition, status) in catalog order and what applies when
 * none matches. {@link isBanned} folds it into the smallest boolean SQL that says "the outcome is
 * banned", so the common case (every candidate banned) stays a plain OR.
 */
import type { Pattern, ProductStatus } from '../model/catalog';
import { OSQUERY_REGEX_MAX_BYTES, toOsqueryRegex } from './std-regex';

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A `LIKE` literal matching `s` exactly (ESCAPE '\' is added by {@link likeExact}). */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** `col LIKE 's'` with `_` and `%` taken literally (ASCII case-insensitive, as SQLite's LIKE is). */
export function likeExact(col: string, s: string, suffix = ''): string {
  return `${col} LIKE ${sqlString(likeEscape(s) + suffix)} ESCAPE '\\'`;
}

/**
 * `col` matches one of the catalog patterns (case-insensitively, as the scanner matches). Patterns
 * are joined into as few `regex_match` calls as osquery's 256-byte limit allows, as
 * `(?:p1)|(?:p2)`; one with a backreference stays alone (joining would renumber its groups).
 */
export function matchesAny(col: string, patterns: readonly Pattern[] | readonly string[]): string {
  const res = patterns.map((p) => toOsqueryRegex(typeof p === 'string' ? p : p.re));
  if (res.length === 0) return 'FALSE';
  const chunks: string[] = [];
  let current: string[] = [];
  const joined = (list: string[]): string =>
    list.length === 1 ? (list[0] ?? '') : list.map((r) => `(?:${r})`).join('|');
  for (const re of res) {
    if (/\\[1-9]/.test(re)) {
      chunks.push(re);
      continue;
    }
    const next = [...current, re];
    if (current.length > 0 && Buffer.byteLength(joined(next), 'utf8') > OSQUERY_REGEX_MAX_BYTES) {
      chunks.push(joined(current));
      current = [re];
    } else current = next;
  }
  if (current.length) chunks.push(joined(current));
  const one = (re: string): string => `regex_match(lower(${col}), ${sqlString(re)}, 0) IS NOT NULL`;
  return chunks.length === 1 ? one(chunks[0] ?? '') : `(${chunks.map(one).join(' OR ')})`;
}

/** `a OR b OR ...` with constant folding. */
export function or(parts: readonly string[]): string {
  const live = parts.filter((p) => p !== 'FALSE');
  if (live.includes('TRUE')) return 'TRUE';
  if (live.length === 0) return 'FALSE';
  return live.length === 1 ? (live[0] ?? 'FALSE') : `(${live.join(' OR ')})`;
}

/** `a AND b AND ...` with constant folding. */
export function and(parts: readonly string[]): string {
  const live = parts.filter((p) => p !== 'TRUE');
  if (live.includes('FALSE')) return 'FALSE';
  if (live.length === 0) return 'TRUE';
  return live.length === 1 ? (live[0] ?? 'TRUE') : `(${live.join(' AND ')})`;
}

/** A status that a rule yields: a product's status, none (nothing claims it), or another rule. */
export type Outcome = ProductStatus | null | StatusRule;

/** "The first matching branch decides; else `otherwise`", in catalog order. */
export interface StatusRule {
  branches: { when: string; then: Outcome }[];
  otherwise: Outcome;
}

function outcomes(o: Outcome): Set<ProductStatus | null> {
  if (o === null || typeof o === 'string') return new Set([o]);
  const all = new Set<ProductStatus | null>();
  for (const b of o.branches) if (b.when !== 'FALSE') for (const v of outcomes(b.then)) all.add(v);
  for (const v of outcomes(o.otherwise)) all.add(v);
  return all;
}

/** The SQL condition "this outcome is banned". */
export function isBanned(o: Outcome): string {
  if (o === null) return 'FALSE';
  if (typeof o === 'string') return o === 'banned' ? 'TRUE' : 'FALSE';
  const values = outcomes(o);
  if (!values.has('banned')) return 'FALSE';
  if (values.size === 1) return 'TRUE';
  const live = o.branches.filter((b) => b.when !== 'FALSE');
  // Every branch yields banned: any branch that matches is enough, else what applies otherwise.
  if (live.every((b) => isBanned(b.then) === 'TRUE'))
    return or([...live.map((b) => b.when), isBanned(o.otherwise)]);
  // The first branch that matches wins. A banned outcome needs one banned branch that matches with
  // no earlier NON-banned branch matching (an earlier banned one would be a witness itself).
  const clauses: string[] = [];
  const failed: string[] = [];
  for (const b of live) {
    const banned = isBanned(b.then);
    clauses.push(and([...failed, b.when, banned]));
    if (b.when === 'TRUE') return or(clauses);
    if (banned !== 'TRUE') failed.push(`NOT (${b.when})`);
  }
  clauses.push(and([...failed, isBanned(o.otherwise)]));
  return or(clauses);
}

/** `SELECT 1 WHERE NOT EXISTS (...) AND ...`: one row (the policy passes) when nothing matches. */
export function noneOf(subqueries: readonly string[]): string {
  if (subqueries.length === 0) return 'SELECT 1;';
  return `SELECT 1 WHERE ${subqueries.map((q) => `NOT EXISTS (${q})`).join('\n  AND ')};`;
}
