/**
 * Hostile files handed to the built CLI (issue 15.5, 15.6, 15.8): a FIFO or a device where a file
 * is expected, a journal that is a link, a data folder that cannot be written. Each must end at once
 * with one sentence naming the file and what is wrong; none may hang, read through a link, or grow
 * without bound. Runs the CLI as a child process with a time-out, so a hang fails the test instead
 * of stalling the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult } from '../../../core/model/scan';
import { ensureBuiltCli, runCli, tempDir, writeIntoRoot, type Bed, type CliRun } from '../../beds/linux';

const posix = process.platform !== 'win32';
const TIMEOUT_MS = 20_000;
const beds: Bed[] = [];
afterAll(() => beds.forEach((b) => b.cleanup()));

function bed(prefix: string): string {
  const b = tempDir(prefix);
  beds.push(b);
  return b.root;
}

function fifo(p: string): string {
  mkdirSync(path.dirname(p), { recursive: true });
  execFileSync('mkfifo', [p]);
  return p;
}

const cli = (args: string[]): CliRun => runCli(args, { timeoutMs: TIMEOUT_MS });

describe.skipIf(!posix)('the CLI refuses hostile files at once, naming them', () => {
  let root: string;
  let work: string;
  const scan = (...extra: string[]): string[] => [
    'scan',
    '--host-root',
    root,
    '--host-os',
    'linux',
    '--data-dir',
    path.join(work, `data-${extra.length}-${Math.random().toString(36).slice(2)}`),
    ...extra,
  ];

  beforeAll(() => {
    ensureBuiltCli();
    root = bed('hostile-root');
    work = bed('hostile-work');
  });

  it('a FIFO given as --catalog: exit 1, "is a named pipe", no hang', () => {
    const pipe = fifo(path.join(work, 'catalog.json'));
    const r = cli(scan('--catalog', pipe));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`The catalog file ${pipe} is a named pipe (FIFO), not a regular file.`);
  });

  it('/dev/zero given as --catalog is refused as a device before a byte is read', () => {
    const r = cli(scan('--catalog', '/dev/zero'));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('The catalog file /dev/zero is a character device, not a regular file.');
  });

  it('a catalog over 8 MiB is refused by its size, naming the size and the limit', () => {
    const big = path.join(work, 'big-catalog.json');
    writeFileSync(big, `{"pad":"${'x'.repeat(9 * 1024 * 1024)}"}`);
    const r = cli(scan('--catalog', big));
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`The catalog file ${big} is 9\\.0 MiB \\(\\d+ bytes\\), over the 8 MiB limit\\.`),
    );
  });

  it('receipt verify of a FIFO: INVALID, "is a named pipe", exit 1, no hang', () => {
    const pipe = fifo(path.join(work, 'receipt.json'));
    const r = cli(['receipt', 'verify', pipe]);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toContain(`The receipt file ${pipe} is a named pipe (FIFO), not a regular file.`);
  });

  it('a signing key that is a FIFO: receipt export fails with a sentence instead of hanging', () => {
    const data = path.join(work, 'data-fifo-key');
    const key = fifo(path.join(data, 'keys', 'receipt-signing.key'));
    const r = cli([
      'receipt',
      'export',
      '--out',
      path.join(work, 'r.json'),
      '--host-root',
      root,
      '--host-os',
      'linux',
      '--data-dir',
      data,
    ]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`The receipt signing key ${key} is a named pipe (FIFO), not a regular file.`);
  });

  it('a journal that is a FIFO: log verify fails with a sentence instead of hanging', () => {
    const data = path.join(work, 'data-fifo-journal');
    const journal = fifo(path.join(data, 'journal.jsonl'));
    const r = cli(['log', 'verify', '--data-dir', data]);
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toContain(
      `The journal ${journal} is a named pipe (FIFO), not a regular file.`,
    );
  });

  it('a journal linked to /etc/passwd: log verify refuses it and quotes nothing of it', () => {
    const data = path.join(work, 'data-link-journal');
    mkdirSync(data, { recursive: true });
    const journal = path.join(data, 'journal.jsonl');
    symlinkSync('/etc/passwd', journal);
    const r = cli(['log', 'verify', '--data-dir', data]);
    expect(r.status).toBe(1);
    const out = `${r.stdout}${r.stderr}`;
    expect(out).toContain(`The journal ${journal} is a symbolic link, which Divest does not follow here.`);
    expect(out).not.toMatch(/root:x?:0:0/);
  });

  it('a journal linked elsewhere: the scan still prints, and the link’s target is not appended to', () => {
    writeIntoRoot(root, { '/opt/kaspersky/kesl/bin/kesl-control': 'stand-in\n' });
    const data = path.join(work, 'data-link-target');
    mkdirSync(data, { recursive: true });
    const target = path.join(work, 'not-a-journal.txt');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, path.join(data, 'journal.jsonl'));
    const r = cli(['scan', '--json', '--host-root', root, '--host-os', 'linux', '--data-dir', data]);
    expect(r.status, r.stderr).toBe(10);
    expect(ScanResult.parse(JSON.parse(r.stdout)).findings.length).toBeGreaterThan(0);
    expect(r.stderr).toContain('not recorded in the journal');
    expect(r.stderr).toContain('is a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
  });

  it('--data-dir that is a file: the scan still prints its findings, and says it was not recorded', () => {
    writeIntoRoot(root, { '/opt/kaspersky/kesl/bin/kesl-control': 'stand-in\n' });
    const file = path.join(work, 'a-file-not-a-folder');
    writeFileSync(file, 'x');
    const r = cli(['scan', '--host-root', root, '--host-os', 'linux', '--data-dir', file]);
    expect(r.status, r.stderr).toBe(10);
    expect(r.stdout).toContain('Kaspersky Endpoint Security for Linux');
    expect(r.stderr).toMatch(/not recorded in the journal \(ENOTDIR/);
  });
});
