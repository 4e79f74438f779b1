/**
 * The Linux single executable (`npm run build:sea`: out/sea/divest-linux-x64) runs on its own: a
 * copy outside Node's folder, started with an empty environment and a PATH with no node on it,
 * prints its version, scans a real dpkg bed (exit 10, valid divest.scan/1), answers
 * `status --line`, writes the Ansible collection it carries (`divest fleet ansible`), and verifies
 * receipts with `divest report`, whose worker threads run the bundle the executable carries.
 * Its SHA256SUMS entry matches.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetReport } from '../../core/model/fleet-report';
import { ScanResult } from '../../core/model/scan';
import { bedFixtures, builtCli, ensureBuiltCli, makeDpkgBed, skipReason, type Bed } from '../beds/linux';
import { REPO } from '../beds/windows';
import { keyIn, signedReceipt, writeReceipt } from './receipts';

const SEA = path.join(REPO, 'out', 'sea', 'divest-linux-x64');
const skip =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'not linux-x64'
    : skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);

describe.skipIf(skip !== false)('the Linux single executable, without Node', { timeout: 600_000 }, () => {
  const T = mkdtempSync(path.join(tmpdir(), 'divest-sea-'));
  const exe = path.join(T, 'app', 'divest');
  let bed: Bed;
  const run = (args: string[]) => {
    const r = spawnSync(exe, args, {
      env: { PATH: path.join(T, 'empty-bin'), HOME: T },
      encoding: 'utf8',
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return r;
  };

  beforeAll(() => {
    ensureBuiltCli();
    if (!existsSync(SEA) || statSync(SEA).mtimeMs < statSync(builtCli).mtimeMs) {
      const b = spawnSync(
        process.execPath,
        [path.join(REPO, 'scripts', 'build-sea.mjs'), '--only', 'linux'],
        {
          cwd: REPO,
          encoding: 'utf8',
        },
      );
      if (b.status !== 0) throw new Error(`build-sea failed:\n${b.stdout}${b.stderr}`);
    }
    mkdirSync(path.join(T, 'app'), { recursive: true });
    mkdirSync(path.join(T, 'empty-bin'), { recursive: true });
    copyFileSync(SEA, exe);
    spawnSync('chmod', ['755', exe]);
    bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.klavaro]);
  }, 600_000);
  afterAll(() => {
    bed?.cleanup();
    rmSync(T, { recursive: true, force: true });
  });

  it('has no node to lean on, prints its version, and matches SHA256SUMS', async () => {
    expect(
      spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: path.join(T, 'empty-bin') } }).status,
    ).not.toBe(0);
    const v = run(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
    expect(v.stderr).toBe('');
    const sums = readFileSync(path.join(REPO, 'out', 'sea', 'SHA256SUMS'), 'utf8');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(SEA)) hash.update(chunk as Buffer);
    expect(sums).toContain(`${hash.digest('hex')}  divest-linux-x64`);
  });

  it('scans a dpkg bed (exit 10) and answers status --line', () => {
    const common = ['--host-root', bed.root, '--host-os', 'linux', '--data-dir', path.join(T, 'data')];
    const scan = run(['scan', '--json', ...common]);
    expect(scan.status, scan.stderr).toBe(10);
    const result = ScanResult.parse(JSON.parse(scan.stdout));
    expect(result.findings.map((f) => f.productId)).toEqual(['kaspersky-endpoint-security-linux']);
    const status = run(['status', '--line', ...common]);
    expect(status.stdout).toMatch(
      /^DIVEST\/1 state=banned verdict=banned-present products=kaspersky-endpoint-security-linux /,
    );
    expect(status.status).toBe(10);
  });

  it('writes the Ansible collection it carries, and verifies receipts in its worker threads', () => {
    const out = path.join(T, 'ansible');
    const a = run(['fleet', 'ansible', '--out', out, '--binaries', path.join(T, 'app')]);
    expect(a.status, a.stderr).toBe(0);
    const role = path.join(out, 'ansible_collections', 'divest', 'endpoint');
    for (const f of ['galaxy.yml', 'meta/runtime.yml', 'roles/divest/tasks/main.yml', 'playbooks/site.yml'])
      expect(existsSync(path.join(role, f)), f).toBe(true);
    expect(readFileSync(path.join(role, 'galaxy.yml'), 'utf8')).toBe(
      readFileSync(path.join(REPO, 'fleet', 'ansible', 'galaxy.yml'), 'utf8'),
    );

    const receipts = path.join(T, 'receipts');
    const k = keyIn(T, 'k');
    for (let i = 0; i < 40; i++)
      writeReceipt(
        receipts,
        `r${i}.json`,
        signedReceipt(
          {
            machineId: `m-${i % 20}`,
            story: i % 5 === 0 ? 'banned' : 'clean',
            issuedAt: `2026-11-${10 + (i % 2)}T10:00:00.000Z`,
          },
          k,
        ),
      );
    const r = run(['report', receipts, '--out', path.join(T, 'report'), '--json']);
    expect(r.stderr).toBe('');
    const rep = FleetReport.parse(JSON.parse(r.stdout));
    expect(rep.summary).toMatchObject({ hosts: 20, invalidReceipts: 0 });
    expect(r.status).toBe(rep.summary.nonCompliant ? 10 : 0);
  });
});
