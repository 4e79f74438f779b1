/**
 * `divest report`: every way a fleet's evidence can be wrong is flagged (tampered, unpinned,
 * pinned to another key, re-keyed, stale, journal broken, old catalog), machines are de-duplicated
 * (latest receipt per machineId), statuses follow the receipts, the exit codes hold, and every
 * output is what it claims: report.json matches divest.fleet-report/1, report.html has no script
 * and escapes what machines sent, bod-17-01.csv quotes the directive, and the OSCAL document
 * validates against NIST's schema (when it is available, see OSCAL_SCHEMA below) and always
 * against our own structural checks. Receipts from real `divest receipt export` runs on dpkg beds
 * are in the mix; the CLI is the built one.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FleetReport, MachineKey } from '../../core/model/fleet-report';
import { receiptFacts } from '../../core/fleet/report/derive';
import { runFleetReport } from '../../core/fleet/report/run';
import { BOD_17_01_REPORT_30_DAY, csvField, parsePins } from '../../core/fleet/report/tables';
import { serializeReceipt } from '../../core/receipt/sign';
import { SIGNATURE_MISMATCH } from '../../core/receipt/verify';
import type { Verdict } from '../../core/model/verdict';
import {
  bedFixtures,
  ensureBuiltCli,
  makeDpkgBed,
  runCli,
  skipReason,
  writeIntoRoot,
  type Bed,
} from '../beds/linux';
import { catalog, keyIn, signedReceipt, writeReceipt, type ReceiptSpec } from './receipts';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.reverse().forEach((c) => c()));
const temp = (prefix: string): string => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

const NOW = new Date('2026-12-01T12:00:00.000Z');
const M = (n: number): string => `0000000${n}-5921-4e03-ab3e-f5df7651996e`.slice(-36);

async function report(dir: string, extra: Partial<Parameters<typeof runFleetReport>[0]> = {}) {
  return runFleetReport({
    directory: dir,
    out: temp('divest-report-out-'),
    catalog,
    appVersion: '0.1.0',
    now: NOW,
    ...extra,
  });
}

describe('divest report: the tamper matrix', () => {
  const root = temp('divest-report-');
  const keys = {
    a: keyIn(root, 'a'),
    b: keyIn(root, 'b'),
    c: keyIn(root, 'c'),
    d: keyIn(root, 'd'),
    rogue: keyIn(root, 'rogue'),
  };
  const dir = path.join(root, 'receipts');
  const put = (name: string, spec: ReceiptSpec, key = keys.a): void =>
    void writeReceipt(dir, name, signedReceipt(spec, key));

  beforeAll(() => {
    put('good/clean.json', { machineId: M(1), hostname: 'clean-host' }, keys.a);
    // Two receipts of one machine with the same key: only the later one counts.
    put(
      'good/dup-old.json',
      { machineId: M(2), story: 'banned', issuedAt: '2026-11-20T10:00:00.000Z' },
      keys.b,
    );
    put(
      'good/dup-new.json',
      { machineId: M(2), story: 'removed', issuedAt: '2026-11-29T10:00:00.000Z' },
      keys.b,
    );
    // Re-keyed: the same machine signed by two keys.
    put('rekey/1.json', { machineId: M(3), issuedAt: '2026-11-20T10:00:00.000Z' }, keys.c);
    put('rekey/2.json', { machineId: M(3), issuedAt: '2026-11-28T10:00:00.000Z' }, keys.rogue);
    put('stale.json', { machineId: M(4), issuedAt: '2026-09-01T10:00:00.000Z' }, keys.d);
    put('journal.json', { machineId: M(5), journalIntact: false }, keys.d);
    put('old-catalog.json', { machineId: M(6), catalogVersion: '2025.01.15' }, keys.d);
    put('unpinned.json', { machineId: M(7) }, keys.d);
    put('pinned-other.json', { machineId: M(8) }, keys.rogue);
    // Tampered: a removal receipt edited to say nothing is installed any more.
    const honest = signedReceipt({ machineId: M(9), story: 'banned' }, keys.a);
    const edited = { ...honest, after: { ...honest.after, findings: [] } };
    writeReceipt(dir, 'tampered.json', serializeReceipt(edited));
    // ...and machine 1 also sent a receipt that does not verify.
    writeReceipt(
      dir,
      'tampered-clean-host.json',
      serializeReceipt({
        ...signedReceipt({ machineId: M(1) }, keys.a),
        issuedAt: '2026-12-01T00:00:00.000Z',
      }),
    );
    writeReceipt(dir, 'not-json.json', '{"schema": "divest.receipt/1", ');
    writeFileSync(
      path.join(root, 'pins.csv'),
      [
        'machineId,fingerprint',
        ...[1, 2, 3, 4, 5, 6, 9].map(
          (n) =>
            `${M(n)},${(n === 2 ? keys.b : n === 3 ? keys.c : n === 1 || n === 9 ? keys.a : keys.d).fingerprint}`,
        ),
        `${M(8)},${keys.d.fingerprint}`,
      ].join('\n'),
    );
  });

  it('flags each kind of bad evidence on the right machine, and exits 1 for the invalid receipts', async () => {
    const run = await report(dir, {
      pinsFile: path.join(root, 'pins.csv'),
      catalogMin: '2026.11.22',
      maxAgeDays: 30,
    });
    const r = run.report;
    const flags = (n: number): string[] => r.hosts.find((h) => h.machineId === M(n))?.flags ?? ['MISSING'];
    expect(flags(1)).toEqual(['invalid-receipt']);
    expect(flags(2)).toEqual([]);
    expect(flags(3)).toEqual(['pinned-to-other-key', 'rekeyed']);
    expect(flags(4)).toEqual(['stale']);
    expect(flags(5)).toEqual(['journal-broken']);
    expect(flags(6)).toEqual(['catalog-old']);
    expect(flags(7)).toEqual(['unpinned']);
    expect(flags(8)).toEqual(['pinned-to-other-key']);
    expect(r.hosts.find((h) => h.machineId === M(9))).toBeUndefined();
    expect(r.invalid.map((i) => i.file).sort()).toEqual([
      'not-json.json',
      'tampered-clean-host.json',
      'tampered.json',
    ]);
    expect(r.invalid.find((i) => i.file === 'tampered.json')?.problems).toContain(SIGNATURE_MISMATCH);
    expect(r.invalid.find((i) => i.file === 'tampered.json')?.machineId).toBe(M(9));
    expect(run.exitCode).toBe(1);
    expect(r.summary).toMatchObject({
      hosts: 8,
      invalidReceipts: 3,
      compliant: 1,
      nonCompliant: 7,
      flagged: 7,
    });
  });

  it('keeps the latest receipt per machine and derives its status from it', async () => {
    const r = (await report(path.join(dir, 'good'))).report;
    const two = r.hosts.find((h) => h.machineId === M(2));
    expect(two).toMatchObject({
      status: 'clean',
      receiptsRead: 2,
      statusSource: 'receipt-verdict',
      removed: ['kaspersky-endpoint-security-windows'],
    });
    expect(two?.receipt.file).toBe('dup-new.json');
    expect(r.products).toEqual([
      expect.objectContaining({
        productId: 'kaspersky-endpoint-security-windows',
        endpoints: 1,
        stillInstalledOn: 0,
      }),
    ]);
  });

  it('without pins, keys are trusted on first use (no pin flags), but re-keying is still caught', async () => {
    const r = (await report(dir)).report;
    expect(
      r.hosts.flatMap((h) => h.flags).filter((f) => f === 'unpinned' || f === 'pinned-to-other-key'),
    ).toEqual([]);
    expect(r.hosts.find((h) => h.machineId === M(3))?.flags).toEqual(['rekeyed']);
    expect(r.method).toMatch(/trusted on first use/);
  });

  it('refuses a malformed pins file by line', () => {
    expect(() => parsePins('machineId,fingerprint\nabc,SHA256:12\n', 'p.csv')).toThrow(/p\.csv, line 2/);
    expect(() => parsePins(`a,${'1'.repeat(64)}\na,${'2'.repeat(64)}\n`, 'p.csv')).toThrow(/pinned twice/);
    expect(parsePins(`# comment\n\na, SHA256:${'A'.repeat(64)}\n`, 'p.csv').get('a')).toBe(
      `SHA256:${'a'.repeat(64)}`,
    );
  });
});

describe('divest report: statuses, exit codes and outputs', () => {
  const root = temp('divest-report-status-');
  const k = keyIn(root, 'k');
  const stories: [ReceiptSpec['story'], ReceiptSpec['protectedBy'], string][] = [
    ['clean', 'active', 'clean'],
    ['clean', 'not-installed', 'unprotected'],
    ['banned', 'active', 'banned'],
    ['removed', 'active', 'clean'],
    ['restart-pending', 'active', 'restart-pending'],
    ['needs-credential', 'active', 'needs-credential'],
    ['failed', 'active', 'failed'],
  ];
  const dir = path.join(root, 'r');
  beforeAll(() => {
    stories.forEach(([story, protectedBy], i) => {
      const spec = {
        machineId: M(20 + i),
        hostname: i === 0 ? '<img src=x onerror=alert(1)>' : `h${i}`,
        story,
        protectedBy,
      };
      writeReceipt(dir, `${i}.json`, signedReceipt(spec, k));
      // The same machines as first-version receipts (no verdict: the status is derived).
      writeReceipt(path.join(root, 'v1'), `${i}.json`, signedReceipt({ ...spec, schema: 1 }, k));
    });
  });

  it('takes each status from the receipt verdict (/2) or derives it by the verdict rules (/1)', async () => {
    for (const [folder, source] of [
      [dir, 'receipt-verdict'],
      [path.join(root, 'v1'), 'derived'],
    ] as const) {
      const r = (await report(folder)).report;
      stories.forEach(([, , want], i) => {
        const host = r.hosts.find((h) => h.machineId === M(20 + i));
        expect(host?.status, `story ${i} in ${source}`).toBe(want);
        expect(host?.statusSource).toBe(source);
      });
      expect(r.summary.byStatus).toMatchObject({
        clean: 2,
        unprotected: 1,
        banned: 1,
        'restart-pending': 1,
        'needs-credential': 1,
        failed: 1,
      });
    }
  });

  it('reads the verdict of a divest.receipt/2 when it carries one', () => {
    const r = signedReceipt({ machineId: M(40), story: 'banned' }, k);
    const verdict: Partial<Verdict> = {
      state: 'restart-pending',
      fleetStatus: 'restart-pending',
      headline: 'Restart needed.',
      details: [],
      stillInstalled: [{ productId: 'kaspersky-endpoint-security-windows', name: 'KES' }],
      leftovers: 0,
      protection: { state: 'active', product: 'Defender' },
      blind: [],
      basedOn: { scanAt: null, replacementAt: null },
    };
    const facts = receiptFacts({ ...r, verdict: { ...r.verdict, ...verdict } }, catalog.catalog);
    expect(facts).toMatchObject({
      status: 'restart-pending',
      verdictState: 'restart-pending',
      statusSource: 'receipt-verdict',
    });
    expect(
      receiptFacts(signedReceipt({ machineId: M(40), story: 'banned', schema: 1 }, k), catalog.catalog),
    ).toMatchObject({
      status: 'banned',
      statusSource: 'derived',
    });
  });

  it('writes report.json, report.csv, report.html and bod-17-01.csv as they claim', async () => {
    const run = await report(dir);
    const json = FleetReport.parse(JSON.parse(readFileSync(run.files.json, 'utf8')));
    expect(json.hosts).toHaveLength(stories.length);
    const html = readFileSync(run.files.html, 'utf8');
    expect(html).not.toMatch(/<script|<img|<link|<iframe|onerror=alert\(1\)>/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain("default-src 'none'");
    const csv = readFileSync(run.files.csv, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^machine_id,hostname,os,/);
    expect(csv).toHaveLength(stories.length + 2);
    const bod = readFileSync(run.files.bod, 'utf8');
    for (const t of [BOD_17_01_REPORT_30_DAY.a, BOD_17_01_REPORT_30_DAY.b, BOD_17_01_REPORT_30_DAY.c])
      expect(bod).toContain(csvField(t));
    expect(bod).toMatch(/^b,.*,Kaspersky Endpoint Security for Windows,5,4,5 endpoints/m);
    expect(bod).toMatch(/^c,.*Ed25519/m);
    expect(csvField('=cmd|"/c calc"')).toBe(`"'=cmd|""/c calc"""`);
    expect(run.exitCode).toBe(10);
  });

  it('exits 0 when every machine is compliant, 10 when none reported', async () => {
    const ok = path.join(root, 'ok');
    writeReceipt(ok, 'a.json', signedReceipt({ machineId: M(50) }, k));
    expect((await report(ok)).exitCode).toBe(0);
    expect((await report(temp('divest-empty-'))).exitCode).toBe(10);
  });
});

/** OSCAL 1.0.6's Assessment Results JSON Schema (NIST, public domain): not in npm, not committed. */
function oscalSchemaFile(): string | undefined {
  const candidates = [
    process.env.DIVEST_OSCAL_SCHEMA,
    path.resolve(__dirname, '../../../shared/oscal_1.0.6_assessment-results_schema.json'),
    '/work/shared/oscal_1.0.6_assessment-results_schema.json',
    '/work/scratch/fleet/tools/oscal_1.0.6_assessment-results_schema.json',
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Our own structural check of what Divest emits (the parts the JSON Schema leaves open, too). */
const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
const OscalAr = z.strictObject({
  'assessment-results': z.strictObject({
    uuid: Uuid,
    metadata: z.object({
      title: z.string().min(1),
      'last-modified': z.iso.datetime(),
      version: z.string().min(1),
      'oscal-version': z.literal('1.1.2'),
    }),
    'import-ap': z.strictObject({ href: z.string().startsWith('#') }),
    results: z
      .array(
        z.object({
          uuid: Uuid,
          'reviewed-controls': z.object({
            'control-selections': z.array(
              z.object({ 'include-controls': z.array(z.object({ 'control-id': z.literal('cm-7.4') })) }),
            ),
          }),
          observations: z
            .array(
              z.object({
                methods: z.array(z.literal('TEST')).length(1),
                subjects: z
                  .array(z.object({ 'subject-uuid': Uuid, type: z.literal('inventory-item') }))
                  .length(1),
                'relevant-evidence': z.array(
                  z.object({
                    href: z.string().min(1),
                    props: z.array(
                      z.object({ name: z.literal('sha256'), value: z.string().regex(/^[0-9a-f]{64}$/) }),
                    ),
                  }),
                ),
                collected: z.iso.datetime(),
              }),
            )
            .optional(),
          findings: z
            .array(
              z.object({
                target: z.object({
                  type: z.literal('objective-id'),
                  'target-id': z.literal('cm-7.4_obj'),
                  status: z.object({ state: z.enum(['satisfied', 'not-satisfied']) }),
                }),
              }),
            )
            .min(1),
        }),
      )
      .length(1),
    'back-matter': z.object({
      resources: z.array(z.object({ uuid: Uuid, title: z.literal('No assessment plan') })).length(1),
    }),
  }),
});

describe('the OSCAL Assessment Results', () => {
  const root = temp('divest-oscal-');
  const k = keyIn(root, 'k');
  const dir = path.join(root, 'r');
  beforeAll(() => {
    writeReceipt(dir, 'a.json', signedReceipt({ machineId: M(60), story: 'removed' }, k));
    writeReceipt(dir, 'b.json', signedReceipt({ machineId: M(61), story: 'banned' }, k));
  });

  it('passes our structural checks, links every observation to its host, and marks the directive not satisfied', async () => {
    const run = await report(dir);
    const doc = OscalAr.parse(JSON.parse(readFileSync(run.files.oscal, 'utf8')));
    const result = doc['assessment-results'].results[0]!;
    expect(result.observations).toHaveLength(2);
    expect(result.findings.map((f) => f.target.status.state)).toContain('not-satisfied');
    const again = await report(dir);
    expect(readFileSync(again.files.oscal, 'utf8')).toBe(readFileSync(run.files.oscal, 'utf8'));
  });

  const schemaFile = oscalSchemaFile();
  if (!schemaFile)
    console.warn(
      "[oscal] skipping validation against NIST's schema: set DIVEST_OSCAL_SCHEMA to oscal_assessment-results_schema.json (OSCAL v1.0.6, json/schema/) or put it in ../shared/",
    );
  it.skipIf(!schemaFile)(
    'validates against NIST OSCAL 1.0.6 assessment-results JSON Schema (ajv 8)',
    async () => {
      const require = createRequire(import.meta.url);
      const fromFormats = createRequire(require.resolve('ajv-formats'));
      const Ajv = fromFormats('ajv') as new (o: object) => {
        compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown };
      };
      const addFormats = require('ajv-formats') as (a: unknown) => void;
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(schemaFile ?? '', 'utf8')) as object);
      const run = await report(dir);
      const doc: unknown = JSON.parse(readFileSync(run.files.oscal, 'utf8'));
      expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
      // The schema is strict where it matters: a wrong finding state fails.
      const broken = JSON.parse(JSON.stringify(doc)) as {
        'assessment-results': { results: { findings: { target: { status: { state: string } } }[] }[] };
      };
      broken['assessment-results'].results[0]!.findings[0]!.target.status.state = 'pass';
      expect(validate(broken)).toBe(false);
    },
  );
});

const linuxSkip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);

describe.skipIf(linuxSkip !== false)('the built CLI: key show, receipt export on dpkg beds, report', () => {
  const root = temp('divest-report-cli-');
  let kesl: Bed;
  let clean: Bed;
  beforeAll(() => {
    ensureBuiltCli();
    kesl = makeDpkgBed([bedFixtures.kesl]);
    clean = makeDpkgBed([bedFixtures.hello]);
    writeIntoRoot(kesl.root, { '/etc/machine-id': '0f4b2a1c9d8e7f605142332415066978\n' });
    writeIntoRoot(clean.root, { '/etc/machine-id': '1a2b3c4d5e6f708192a3b4c5d6e7f809\n' });
    cleanups.push(
      () => kesl.cleanup(),
      () => clean.cleanup(),
    );
  }, 300_000);

  it('pins gathered with key show match the receipts; report exits 10 for the Kaspersky bed and 2 for usage', () => {
    const pins: string[] = [];
    for (const [name, bed] of [
      ['kesl', kesl],
      ['clean', clean],
    ] as const) {
      const data = path.join(root, `data-${name}`);
      const common = ['--host-root', bed.root, '--host-os', 'linux', '--data-dir', data];
      const key = runCli(['key', 'show', '--json', ...common]);
      expect(key.status, key.stderr).toBe(0);
      const k = MachineKey.parse(JSON.parse(key.stdout));
      pins.push(`${k.machineId},${k.fingerprint}`);
      const exp = runCli([
        'receipt',
        'export',
        '--out',
        path.join(root, 'receipts', `${name}.json`),
        ...common,
      ]);
      expect(exp.status, exp.stderr).toBe(0);
      expect(exp.stdout).toContain(k.fingerprint);
    }
    writeFileSync(path.join(root, 'pins.csv'), `${pins.join('\n')}\n`);
    const r = runCli([
      'report',
      path.join(root, 'receipts'),
      '--out',
      path.join(root, 'out'),
      '--pins',
      path.join(root, 'pins.csv'),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(10);
    const rep = FleetReport.parse(JSON.parse(r.stdout));
    expect(rep.hosts.map((h) => h.status).sort()).toEqual(['banned', 'unprotected']);
    expect(rep.hosts.flatMap((h) => h.flags)).toEqual([]);
    expect(existsSync(path.join(root, 'out', 'assessment-results.oscal.json'))).toBe(true);
    expect(runCli(['report']).status).toBe(2);
    expect(runCli(['report', root, '--max-age-days', 'soon']).status).toBe(2);
  });
});
