/**
 * A model of osquery's SQL engine for tests: SQLite (sql.js, the same SQLite osquery embeds, no
 * ICU: `lower()` and `LIKE` fold ASCII only), tables created with osquery's own column lists
 * (fixtures/osquery-columns.json, copied from osquery's specs/*.table), and `regex_match` with
 * osquery's rules (osquery/sql/sqlite_string.cpp @a5b14f63, research NOTES §2):
 * - three arguments; any NULL argument gives NULL; no match gives NULL; index out of range gives NULL;
 * - the pattern is at most 256 bytes, else the query fails ("Invalid regex: too big...");
 * - std::regex with default flags: ECMAScript, case-sensitive, unanchored search, over BYTES. The
 *   model runs JavaScript's (non-Unicode) RegExp over strings whose characters are the UTF-8 bytes,
 *   which is how std::regex sees a std::string; constructs std::regex lacks (lookbehind, named
 *   groups, \p{...}, \u{...}, inline flags, [] and [^]) fail as osquery's "Invalid regex" does.
 *   test/fleet/std-regex.test.ts checks the model against the real std::regex (g++).
 *
 * What this cannot test: osquery's table implementations (which rows a real host yields). The
 * rows are built from the beds by the tests, as each table's implementation documents it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const REGEX_MAX_SIZE = 256;

const UNSUPPORTED: [RegExp, string][] = [
  [/\(\?<[=!]/, 'lookbehind'],
  [/\(\?<[A-Za-z]/, 'named group'],
  [/\\k</, 'named backreference'],
  [/\\[pP]\{/, 'unicode property escape'],
  [/\\u\{/, 'code point escape'],
  [/\(\?[a-z]+[:)]/i, 'inline flags'],
  [/\[\^?\]/, 'empty class'],
];

const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const fromBytes = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');

/** Compiles a pattern as osquery would, or throws osquery's error. */
export function compileOsqueryRegex(pattern: string): RegExp {
  if (Buffer.byteLength(pattern, 'utf8') > REGEX_MAX_SIZE)
    throw new Error(`Invalid regex: too big, max size is ${REGEX_MAX_SIZE} bytes`);
  for (const [re, what] of UNSUPPORTED) if (re.test(pattern)) throw new Error(`Invalid regex (${what})`);
  try {
    return new RegExp(bytes(pattern));
  } catch {
    throw new Error('Invalid regex');
  }
}

/** `regex_match(input, pattern, index)` as osquery computes it. */
export function regexMatch(input: unknown, pattern: unknown, index: unknown): string | null {
  if (input === null || pattern === null || index === null) return null;
  const re = compileOsqueryRegex(String(pattern));
  const m = re.exec(bytes(String(input)));
  if (!m) return null;
  const i = Math.trunc(Number(index));
  if (i < 0 || i >= m.length) return null;
  return m[i] === undefined ? '' : fromBytes(m[i]);
}

interface Column {
  name: string;
  type: string;
}
interface ColumnsFixture {
  source: { repo: string; commit: string };
  tables: Record<string, { spec: string; columns: Column[] }>;
}

/** osquery's columns of the tables the policies read (copied from osquery's specs). */
export const OSQUERY_COLUMNS = JSON.parse(
  readFileSync(path.join(here, 'fixtures', 'osquery-columns.json'), 'utf8'),
) as ColumnsFixture;

/** A row: column name to value (absent columns are NULL, as osquery returns them). */
export type Row = Record<string, string | number | null | undefined>;

export interface SqlDb {
  exec(sql: string): { columns: string[]; values: unknown[][] }[];
  run(sql: string, params?: unknown[]): void;
  create_function(name: string, fn: (...args: unknown[]) => unknown): void;
  close(): void;
}
interface SqlJs {
  Database: new () => SqlDb;
}

let sqlJs: Promise<SqlJs> | undefined;

/** sql.js (a devDependency), loaded once. */
export function loadSqlJs(): Promise<SqlJs> {
  sqlJs ??= import('sql.js').then(async (m) => (await m.default()) as SqlJs);
  return sqlJs;
}

/** A database with every osquery table of the fixture, filled with `rows`, and `regex_match`. */
export async function osqueryDb(rows: Partial<Record<string, Row[]>>): Promise<SqlDb> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.create_function('regex_match', (a, b, c) => regexMatch(a, b, c));
  for (const [table, spec] of Object.entries(OSQUERY_COLUMNS.tables)) {
    const cols = spec.columns.map((c) => `"${c.name}" ${c.type === 'TEXT' ? 'TEXT' : 'INTEGER'}`);
    db.run(`CREATE TABLE "${table}" (${cols.join(', ')})`);
    for (const row of rows[table] ?? []) {
      const unknown = Object.keys(row).filter((k) => !spec.columns.some((c) => c.name === k));
      if (unknown.length) throw new Error(`${table} has no column ${unknown.join(', ')} in osquery`);
      const names = Object.keys(row).filter((k) => row[k] !== undefined);
      db.run(
        `INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        names.map((n) => row[n] ?? null),
      );
    }
  }
  return db;
}

/** Runs a policy: true when it passes (returns at least one row), as Fleet counts it. */
export function policyPasses(db: SqlDb, sql: string): boolean {
  const result = db.exec(sql);
  return result.length > 0 && (result[0]?.values.length ?? 0) > 0;
}
