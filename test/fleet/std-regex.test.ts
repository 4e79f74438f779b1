/**
 * The catalog's regular expressions, translated for osquery (core/fleet/std-regex.ts), decide as
 * the scanner decides: for every catalog pattern and every string of a corpus (the beds' names,
 * localized and upper-case forms, look-alikes), JavaScript's `/re/iu` on the string, the test model
 * of osquery's regex_match on `lower()` of it, and the real std::regex (compiled here with g++, the
 * C++ library osquery calls) agree. g++ missing: the std::regex half skips with its reason (fails
 * in CI).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { OSQUERY_REGEX_MAX_BYTES, UntranslatablePattern, toOsqueryRegex } from '../../core/fleet/std-regex';
import { matchesAny } from '../../core/fleet/sql';
import { compileOsqueryRegex, osqueryDb, regexMatch } from './osquery-model';

const catalog = loadBuiltInCatalog().catalog;

/** Every regular expression in the catalog. */
function catalogPatterns(): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, key));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.re === 'string') out.add(o.re);
      for (const [k, v] of Object.entries(o)) if (k !== 'refs') walk(v, k);
    }
  };
  walk({ vendors: catalog.vendors, products: catalog.products });
  return [...out];
}

const CORPUS = [
  'Kaspersky Endpoint Security for Windows',
  'KASPERSKY ENDPOINT SECURITY FOR WINDOWS',
  'Kaspersky Endpoint Security 11.6 for Windows',
  'Kaspersky Endpoint Security 10 for Windows SP2',
  'Kaspersky Endpoint Security für Windows',
  'Kaspersky Endpoint Security pour Windows',
  'Kaspersky Endpoint Security для Windows',
  'Kaspersky Endpoint Security ДЛЯ Windows',
  'Kaspersky Endpoint Security 12 1 Windows',
  'Kaspersky Endpoint Security',
  'Kaspersky Endpoint Security for Mac',
  "Agent d'administration de Kaspersky Security Center",
  'Agent d’administration de Kaspersky Security Center 14',
  'AGENT D’ADMINISTRATION DE KASPERSKY SECURITY CENTER',
  'Агент администрирования Kaspersky Security Center',
  'АГЕНТ АДМИНИСТРИРОВАНИЯ Kaspersky Security Center 13.2',
  'агент администрирования kaspersky security center',
  'Kaspersky Security Center Network Agent',
  'Kaspersky Security Center 14.2 Network Agent',
  'Kaspersky Security Center 14 Administration Console',
  'Kaspersky Security Center',
  'Kaspersky Security 11 for Windows Server',
  'Kaspersky Anti-Virus 8.0 for Windows Servers Enterprise Edition',
  'Kaspersky Embedded Systems Security 3.0',
  'Kaspersky Endpoint Agent 3.10',
  'Kaspersky Security Cloud',
  'Kaspersky Security Cloud - Free 21.3',
  'Kaspersky Total Security',
  'Kaspersky Total Security 21.2.16.590',
  'Kaspersky PURE 3.0',
  'Kaspersky Internet Security',
  'Kaspersky Small Office Security 8',
  'Kaspersky Free',
  'Kaspersky Anti-Virus',
  'Kaspersky AntiVirus 2010',
  'Kaspersky VPN',
  'Kaspersky VPN Secure Connection 5.2',
  'Kaspersky Password Manager 9.0.2.1186',
  'Kaspersky Safe Kids',
  'Kaspersky',
  'Kaspersky Plus 21.14',
  'Kaspersky Fan Club Toolkit',
  'Kaspersky Endpoint Security for Windows (fan edition)',
  'Kasper Reader',
  'K-Lite Codec Pack 17.8.0 Basic',
  'UltraAV',
  'UltraVPN 2.1',
  'Pango Inc.',
  'Pangolin Software',
  'AO Kaspersky Lab',
  'Kaspersky Lab',
  'Kaspersky Lab ZAO',
  'ao kaspersky lab',
  'Kaspersky Lab <support@kaspersky.com>',
  'Dev <dev@mail.kaspersky.com>',
  'Jane Roe <jane.roe@example.org>',
  'Debian QA Group <packages@qa.debian.org>',
  'AVP.KES.12.1.0',
  'avpsus.KES.12',
  'AVP',
  'AVP21.2',
  'KAVFS',
  'klnagent',
  'klnagent64',
  'CSAdminServer',
  'KSDE5.2',
  'KES.12.1.0',
  'klif',
  'klflt',
  'kl1',
  'klupd_klif_arkmon',
  'klvssbrige64',
  'Tcpip',
  'protected',
  'com.kaspersky.kav',
  'com.kaspersky.kav.core',
  'com.kaspersky.kav.sysext',
  'com.kaspersky.kext.klif',
  'com.kaspersky.kav.oas',
  'com.kaspersky.kav.gui',
  'org.kaspa.wallet',
  'kav',
  'kav_agent',
  'kesl',
  'kesl-supervisor',
  'klserver',
  'klavaro',
  'Kaspersky Internet Security For Mac',
  'Kaspersky Anti-Virus For Mac',
  'Safari',
];

/** `lower()` as SQLite computes it: ASCII letters only. */
const sqliteLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

const patterns = catalogPatterns();

describe('catalog patterns for osquery', () => {
  it('every built-in catalog pattern translates within osquery limits', () => {
    expect(patterns.length).toBeGreaterThan(50);
    for (const p of patterns) {
      const t = toOsqueryRegex(p);
      expect(Buffer.byteLength(t, 'utf8'), p).toBeLessThanOrEqual(OSQUERY_REGEX_MAX_BYTES);
      expect(() => compileOsqueryRegex(t), `${p} -> ${t}`).not.toThrow();
    }
  });

  it('decides like the scanner (/re/iu) on every corpus string, through lower() and bytes', () => {
    let positives = 0;
    for (const p of patterns) {
      const t = toOsqueryRegex(p);
      const js = new RegExp(p, 'iu');
      for (const s of CORPUS) {
        const want = js.test(s);
        const got = regexMatch(sqliteLower(s), t, 0) !== null;
        expect(got, `/${p}/iu on "${s}" (osquery form ${t})`).toBe(want);
        if (want) positives++;
      }
    }
    expect(positives).toBeGreaterThan(60);
  });

  it('folds Cyrillic with explicit alternatives, since lower() leaves it alone', () => {
    const t = toOsqueryRegex('^Агент администрирования$');
    expect(t).toContain('(А|а)');
    expect(regexMatch(sqliteLower('АГЕНТ АДМИНИСТРИРОВАНИЯ'), t, 0)).not.toBeNull();
    expect(regexMatch(sqliteLower('агент администрирования'), t, 0)).not.toBeNull();
    // A byte-wise class would be wrong: [Кк] is a set of four bytes, not two letters.
    expect(toOsqueryRegex('^[Кк]$')).not.toContain('[Кк]');
  });

  it('\\p{L} is approximated towards matching (a non-ASCII symbol counts as a letter)', () => {
    const t = toOsqueryRegex('^a \\p{L}+ b$');
    expect(regexMatch('a für b', t, 0)).not.toBeNull();
    expect(regexMatch('a 12 b', t, 0)).toBeNull();
    expect(regexMatch('a — b', t, 0)).not.toBeNull(); // /\p{L}+/u would not match an em dash
  });

  it('refuses what std::regex lacks and patterns over 256 bytes', () => {
    for (const bad of [
      '(?<=a)b',
      '(?<n>a)',
      '\\p{Lu}',
      '\\P{L}',
      'a\\k<n>',
      '[]',
      '[^Кк]',
      '[А-Я]',
      '\\u{1F600}',
    ])
      expect(() => toOsqueryRegex(bad), bad).toThrow(UntranslatablePattern);
    expect(() => toOsqueryRegex('a'.repeat(256))).not.toThrow();
    expect(() => toOsqueryRegex('a'.repeat(257))).toThrow(/over osquery's limit of 256/);
    expect(() => toOsqueryRegex('Ж'.repeat(40))).toThrow(/bytes/);
  });

  it('joins patterns into few regex_match calls, each within 256 bytes', async () => {
    const list = patterns.slice(0, 30);
    const sql = matchesAny('name', list);
    for (const m of sql.matchAll(/regex_match\(lower\(name\), '((?:[^']|'')*)', 0\)/g))
      expect(Buffer.byteLength(m[1]!.replace(/''/g, "'"), 'utf8')).toBeLessThanOrEqual(256);
    const db = await osqueryDb({ programs: CORPUS.map((name) => ({ name })) });
    try {
      const rows = db.exec(`SELECT name FROM programs WHERE ${sql}`)[0]?.values.map((v) => v[0]) ?? [];
      const want = CORPUS.filter((s) => list.some((p) => new RegExp(p, 'iu').test(s)));
      expect(rows).toEqual(want);
    } finally {
      db.close();
    }
  });

  it('regex_match: NULL on no match, "" (false!) on an empty match, an error over 256 bytes', async () => {
    const db = await osqueryDb({});
    try {
      const [row] = db.exec(
        "SELECT regex_match('abc','x',0) IS NULL, regex_match('abc','x*',0), CASE WHEN regex_match('abc','x*',0) THEN 1 ELSE 0 END, regex_match('abc','x*',0) IS NOT NULL, regex_match(NULL,'a',0) IS NULL",
      )[0]!.values;
      expect(row).toEqual([1, '', 0, 1, 1]);
      expect(() => db.exec(`SELECT regex_match('a','${'a'.repeat(257)}',0)`)).toThrow(/too big/);
      expect(() => db.exec("SELECT regex_match('a','(/',0)")).toThrow(/Invalid regex/);
    } finally {
      db.close();
    }
  });
});

const gpp = spawnSync('g++', ['--version'], { encoding: 'utf8' });
const noGpp = gpp.error ? 'g++ is not installed (apt-get install -y g++)' : false;
if (noGpp && !process.env.CI) console.warn(`[std-regex] skipping the std::regex oracle: ${noGpp}`);

describe.skipIf(noGpp !== false && !process.env.CI)(
  'the model against the real std::regex (libstdc++)',
  () => {
    let dir = '';
    let oracle = '';
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'divest-std-regex-'));
      oracle = path.join(dir, 'oracle');
      const src = path.join(
        path.dirname(new URL(import.meta.url).pathname),
        'fixtures',
        'std-regex-oracle.cpp',
      );
      const r = spawnSync('g++', ['-std=c++17', '-O1', '-o', oracle, src], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`g++ failed: ${r.stderr}`);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const run = (pairs: [string, string][]): string => {
      const input = Buffer.concat(
        pairs.flatMap(([p, s]) => [Buffer.from(p), Buffer.from([0]), Buffer.from(s), Buffer.from([0])]),
      );
      const r = spawnSync(oracle, [], { input, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
      return r.stdout.trim();
    };

    it('agrees with std::regex on every translated catalog pattern and corpus string', () => {
      const pairs: [string, string][] = [];
      for (const p of patterns) for (const s of CORPUS) pairs.push([toOsqueryRegex(p), sqliteLower(s)]);
      const answers = run(pairs);
      expect(answers).toHaveLength(pairs.length);
      pairs.forEach(([t, s], i) => {
        const model = regexMatch(s, t, 0) !== null ? '1' : '0';
        expect(answers[i], `std::regex(${t}) on "${s}"`).toBe(model);
      });
    });

    it('agrees on the grammar corner cases osquery documents', () => {
      const cases: [string, string][] = [
        ['(/', 'foo/bar'],
        ['+', 'x'],
        ['\\|', 'a|b'],
        ['', 'hello'],
        ['(?=a)a', 'a'],
        ['(?<=a)b', 'ab'],
        ['[^\\x01-@\\[-`{-\\x7f]+', 'für'],
        ['^(А|а)$', 'А'],
      ];
      const answers = run(cases);
      cases.forEach(([p, s], i) => {
        let model: string;
        try {
          model = regexMatch(s, p, 0) !== null ? '1' : '0';
        } catch {
          model = 'E';
        }
        expect(answers[i], `std::regex(${p}) on "${s}"`).toBe(model);
      });
    });
  },
);
