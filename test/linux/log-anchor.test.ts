/**
 * `divest log verify --receipt FILE`: the machine's journal is checked against the length and head
 * hash a signed receipt anchored, on a real dpkg bed through the built CLI. A journal that carries
 * on is still anchored; one rewritten from scratch, one cut short, one with a line removed before
 * the anchor, and a tampered receipt are not (exit 1, with the reason).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedFixtures, ensureBuiltCli, makeDpkgBed, runCli, type Bed } from '../beds/linux';

describe('divest log verify --receipt', () => {
  let bed: Bed;
  const T = mkdtempSync(path.join(tmpdir(), 'divest-anchor-'));
  afterAll(() => {
    bed?.cleanup();
    rmSync(T, { recursive: true, force: true });
  });
  beforeAll(() => {
    ensureBuiltCli();
    bed = makeDpkgBed([bedFixtures.hello]);
  });
  const host = (data: string) => ['--host-root', bed.root, '--host-os', 'linux', '--data-dir', data];
  const session = (name: string) => {
    const data = path.join(T, name);
    expect(runCli(['scan', ...host(data)]).status).toBe(0);
    const receipt = path.join(T, `${name}.json`);
    const exp = runCli(['receipt', 'export', '--out', receipt, ...host(data)]);
    expect(exp.status, exp.stderr).toBe(0);
    return { data, receipt };
  };
  const check = (data: string, receipt: string, extra: string[] = []) => {
    const r = runCli(['log', 'verify', '--receipt', receipt, '--json', '--data-dir', data, ...extra]);
    return {
      status: r.status,
      json: JSON.parse(r.stdout) as { result: string; sentence: string; journal: { laterLines: number } },
    };
  };

  it('anchored right after export, and still when the journal carries on', () => {
    const { data, receipt } = session('ok');
    const first = check(data, receipt);
    expect(first.json.result).toBe('matches');
    expect(first.status).toBe(0);
    expect(runCli(['scan', ...host(data)]).status).toBe(0);
    const later = check(data, receipt);
    expect(later.status).toBe(0);
    expect(later.json.journal.laterLines).toBeGreaterThan(0);
    const text = runCli(['log', 'verify', '--receipt', receipt, '--data-dir', data]);
    expect(text.stdout).toMatch(/^ANCHORED: The journal holds the line the receipt anchored/);
    expect(text.stdout).toMatch(/only self-asserted/);
  });

  it('a journal rewritten from scratch (its own chain intact) is not the anchored one', () => {
    const { data, receipt } = session('rewritten');
    rmSync(path.join(data, 'journal.jsonl'));
    expect(runCli(['scan', ...host(data)]).status).toBe(0);
    expect(runCli(['log', 'verify', '--data-dir', data]).status).toBe(0); // its own chain is fine
    const c = check(data, receipt);
    expect(c.status).toBe(1);
    expect(c.json.result).toBe('not-found');
    expect(c.json.sentence).toMatch(/rewritten, cut short, or is not the one/);
  });

  it('a journal cut short before the anchor, or with an earlier line removed, is refused', () => {
    const { data, receipt } = session('cut');
    const file = path.join(data, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    // The last line is the export's own event, written after signing; the anchored line is before it.
    expect(lines[lines.length - 1]).toContain('receipt.exported');
    writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
    expect(check(data, receipt).json.result).toBe('matches');
    writeFileSync(file, `${lines.slice(0, -2).join('\n')}\n`);
    expect(check(data, receipt).json.result).toBe('not-found');
    writeFileSync(file, `${[lines[0], ...lines.slice(2)].join('\n')}\n`);
    const c = check(data, receipt);
    expect(c.status).toBe(1);
    expect(c.json.result).toBe('moved');
  });

  it('a tampered receipt anchors nothing; a wrong pinned key neither', () => {
    const { data, receipt } = session('tamper');
    const r = JSON.parse(readFileSync(receipt, 'utf8')) as { host: { hostname: string } };
    r.host.hostname = 'elsewhere';
    const forged = path.join(T, 'forged.json');
    writeFileSync(forged, JSON.stringify(r));
    expect(check(data, forged).json.result).toBe('receipt-invalid');
    const pinned = check(data, receipt, ['--fingerprint', `SHA256:${'ab'.repeat(32)}`]);
    expect(pinned.status).toBe(1);
    expect(pinned.json.result).toBe('receipt-invalid');
  });

  it('refuses --fingerprint without --receipt', () => {
    const r = runCli(['log', 'verify', '--fingerprint', 'SHA256:00', '--data-dir', path.join(T, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--fingerprint needs --receipt/);
  });
});
