/**
 * `--jurisdiction` on scan, plan and status, and the data folder's `jurisdictions.json`, through
 * the CLI's own entry point on a Linux image with Kaspersky Endpoint Security's files in it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../cli/main';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { text: () => string };
  s.text = () => chunks.join('');
  return s;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'divest-jurisdiction-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A Linux image where KESL's files are present (no package database knows them). */
const root = path.join(tmp, 'root');
mkdirSync(path.join(root, 'opt/kaspersky/kesl/bin'), { recursive: true });
mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
writeFileSync(path.join(root, 'opt/kaspersky/kesl/bin/kesl-control'), '#!/bin/sh\n');
writeFileSync(path.join(root, 'var/lib/dpkg/status'), '');

let n = 0;
function dataDir(setting?: unknown): string {
  const d = path.join(tmp, `data-${n++}`);
  mkdirSync(d, { mode: 0o700 });
  if (setting !== undefined) writeFileSync(path.join(d, 'jurisdictions.json'), JSON.stringify(setting));
  return d;
}

async function run(
  command: string,
  extra: string[],
  data = dataDir(),
): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const argv = [command, '--host-root', root, '--host-os', 'linux', '--data-dir', data, ...extra];
  const code = await main(argv, out, err);
  // The scan table wraps its last column to stay within 100 columns: join it back for matching.
  return { code, out: out.text().replace(/\n {20,}/g, ' '), err: err.text() };
}

describe('divest scan --jurisdiction', () => {
  it('by default lists every covering directive, grouped by jurisdiction', async () => {
    const r = await run('scan', []);
    expect(r.code).toBe(10);
    expect(r.out).toContain('Jurisdictions: all jurisdictions (the default).');
    expect(r.out).toMatch(
      /Kaspersky Endpoint Security for Linux .* US ×4, AU, IT, DE, NL, GB, LT, US-NH, US-VT/,
    );
    expect(r.out).toContain('  AU (Australia): PSPF Direction 002-2025');
    expect(r.out).toContain('  DE (Germany): BSI warning (guidance)');
    expect(r.out).not.toContain('elsewhere');
  });

  it('with AU: what applies here first, the rest as elsewhere, exit code unchanged', async () => {
    const r = await run('scan', ['--jurisdiction', 'au']);
    expect(r.code).toBe(10);
    expect(r.out).toMatch(/BANNED +installed +AU; elsewhere: US ×4, IT, DE, NL, GB, LT, US-NH, US-VT/);
    expect(r.out).toContain('Jurisdictions: AU (from --jurisdiction).');
    const [here, away] = r.out.split('Directives that cover it in jurisdictions not applied here:');
    expect(here).toContain(
      'Directives that cover what was found and apply here:\n  AU (Australia): PSPF Direction 002-2025',
    );
    expect(away).toContain('US (United States): BOD 17-01; NDAA FY2018 §1634');
    expect(r.out).not.toContain('Banned only elsewhere');
  });

  it('with only Canada (mobile only): the product is still reported, banned, and said to be banned elsewhere', async () => {
    const r = await run('scan', ['--jurisdiction', 'CA']);
    expect(r.code).toBe(10);
    expect(r.out).toMatch(/BANNED +installed +none here; elsewhere: US ×4/);
    expect(r.out).toContain(
      'Banned only elsewhere (still reported and counted as banned): Kaspersky Endpoint Security for Linux.',
    );
    expect(r.out).toContain('1 banned product is installed.');
  });

  it('refuses a code no directive has (UK is GB), with the known codes', async () => {
    const r = await run('scan', ['--jurisdiction', 'UK']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'no directive in the catalog is from "UK"; known: AU, CA, DE, GB, IT, LT, NL, US, US-NH, US-VT, or all',
    );
  });

  it('leaves --json unchanged: every covering directive stays on the finding', async () => {
    const all = JSON.parse((await run('scan', ['--json'])).out);
    const au = JSON.parse((await run('scan', ['--json', '--jurisdiction', 'AU'])).out);
    expect(au.findings[0].directives).toEqual(all.findings[0].directives);
    expect(all.findings[0].directives).toContain('au-pspf-direction-002-2025');
  });
});

describe("the data folder's jurisdictions.json", () => {
  it('is used when there is no flag, and the flag overrides it', async () => {
    const data = dataDir({ jurisdictions: ['de', 'US'] });
    const r = await run('scan', [], data);
    expect(r.out).toContain(`Jurisdictions: DE, US (from ${path.join(data, 'jurisdictions.json')}).`);
    expect(r.out).toMatch(/US ×4, DE; elsewhere: AU, IT, NL, GB, LT, US-NH, US-VT/);
    const flag = await run('scan', ['--jurisdiction', 'NL'], data);
    expect(flag.out).toContain('Jurisdictions: NL (from --jurisdiction).');
    const all = await run('scan', [], dataDir({ jurisdictions: [] }));
    expect(all.out).toMatch(/Jurisdictions: all jurisdictions \(from .*jurisdictions\.json\)\./);
  });

  it('is refused with a sentence naming it when it is malformed or names an unknown code', async () => {
    const bad = await run('scan', [], dataDir({ jurisdiction: 'US' }));
    expect(bad.code).not.toBe(0);
    expect(bad.code).not.toBe(10);
    expect(bad.err).toMatch(
      /jurisdictions\.json is not valid: it must be \{"jurisdictions": \["US", "AU"\]\}/,
    );
    const unknown = await run('scan', [], dataDir({ jurisdictions: ['FR'] }));
    expect(unknown.err).toMatch(/jurisdictions\.json: no directive in the catalog is from "FR"/);
  });
});

describe('divest plan and status --jurisdiction', () => {
  it('plan: the plan, then the directives that apply here', async () => {
    const r = await run('plan', ['--jurisdiction', 'IT']);
    expect(r.code).toBe(10);
    expect(r.out).toContain('Jurisdictions: IT (from --jurisdiction).');
    expect(r.out).toContain('  IT (Italy): IT DL 21/2022 art. 29');
  });

  it('status --json: the setting, and per product what applies here and what elsewhere', async () => {
    const r = await run('status', ['--json', '--jurisdiction', 'LT,US-VT']);
    expect(r.code).toBe(10);
    const j = JSON.parse(r.out);
    expect(j.jurisdictions.setting).toEqual(['LT', 'US-VT']);
    expect(j.jurisdictions.source).toBe('--jurisdiction');
    expect(j.jurisdictions.products).toEqual([
      {
        productId: 'kaspersky-endpoint-security-linux',
        applies: ['lt-government-kaspersky-2017', 'us-vt-ads-2019'],
        elsewhere: expect.arrayContaining(['bod-17-01', 'au-pspf-direction-002-2025']),
      },
    ]);
    const text = await run('status', ['--jurisdiction', 'LT']);
    expect(text.out).toContain('  Jurisdictions: LT (from --jurisdiction).');
    expect(text.out).toContain('    LT (Lithuania): LT government decision');
  });
});
