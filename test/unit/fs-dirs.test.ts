/**
 * Folder creation that never hangs: Node 20's recursive mkdirSync spins forever when mkdir answers
 * ENOENT under an existing parent (as /proc does).
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDir } from '../../core/fs-dirs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'divest-dirs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ensureDir', () => {
  it('creates missing parents with the given mode, and accepts an existing folder', () => {
    const d = path.join(tmp, 'a', 'b', 'c');
    ensureDir(d, 0o700);
    expect(statSync(d).isDirectory()).toBe(true);
    expect(statSync(path.join(tmp, 'a')).mode & 0o777).toBe(0o700);
    expect(() => ensureDir(d)).not.toThrow();
  });

  it('fails at once, with the OS error, where mkdir says ENOENT under an existing parent', () => {
    const started = Date.now();
    expect(() => ensureDir('/proc/self/divest-cannot-be-here')).toThrow(/ENOENT/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a path that runs through a file', () => {
    const f = path.join(tmp, 'file');
    writeFileSync(f, 'x');
    expect(() => ensureDir(path.join(f, 'sub'))).toThrow(/ENOTDIR/);
    expect(existsSync(path.join(f, 'sub'))).toBe(false);
  });

  it('the CLI scan with an impossible --data-dir finishes, says the scan was not journaled, and still reports', () => {
    const cli = path.join(__dirname, '..', '..', 'out', 'cli', 'divest.cjs');
    if (!existsSync(cli)) throw new Error('build the CLI first (npm run build)');
    const r = spawnSync(
      process.execPath,
      [cli, 'scan', '--json', '--host-root', tmp, '--host-os', 'linux', '--data-dir', '/proc/self/nope'],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/not recorded in the journal \(ENOENT/);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'divest.scan/1', findings: [] });
  });
});
