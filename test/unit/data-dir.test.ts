/**
 * A data folder or a signing key that someone else controls is never used (issue 15.5): a key
 * another user planted (mode 0600, another owner) would sign receipts as this machine's, and a
 * journal in a folder others can write could be rewritten under us.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDataDir } from '../../core/data-dir';
import { journalPath, openJournal } from '../../core/journal/journal';
import { loadOrCreateSigningKey, signingKeyPath } from '../../core/receipt/keys';

const root = typeof process.geteuid === 'function' && process.geteuid() === 0;
const posix = process.platform !== 'win32';
const NOBODY = 65534;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'divest-datadir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!posix)('the data folder', () => {
  it('is used when it is ours and only we may write it; absent is fine (Divest creates it)', () => {
    expect(() => checkDataDir(dir)).not.toThrow();
    expect(() => checkDataDir(path.join(dir, 'not-yet'))).not.toThrow();
  });

  it('is refused when others may write it, or when it is a symbolic link', () => {
    chmodSync(dir, 0o777);
    expect(() => checkDataDir(dir)).toThrow(/can be written by other users \(mode 777\)/);
    chmodSync(dir, 0o700);
    const link = path.join(tmpdir(), `divest-datadir-link-${process.pid}`);
    rmSync(link, { force: true });
    symlinkSync(dir, link);
    try {
      expect(() => checkDataDir(link)).toThrow(/is a symbolic link/);
    } finally {
      rmSync(link, { force: true });
    }
  });

  it.skipIf(!root)(
    'is refused when it belongs to another user, and the journal never appends there',
    async () => {
      const foreign = path.join(dir, 'data');
      mkdirSync(foreign, { mode: 0o700 });
      chownSync(foreign, NOBODY, NOBODY);
      expect(() => checkDataDir(foreign)).toThrow(
        /belongs to user id 65534, not to the user running Divest \(0\)/,
      );
      await expect(
        openJournal(journalPath(foreign)).append('scan.started', { purpose: 'scan', hostRoot: null }),
      ).rejects.toMatchObject({ code: 'io' });
    },
  );
});

describe.skipIf(!posix || !root)('the signing key', () => {
  it('planted by another user (mode 0600, another owner) is refused, naming the owner', () => {
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'keys'), { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(signingKeyPath(data), pem, { mode: 0o600 });
    chownSync(signingKeyPath(data), NOBODY, NOBODY);
    expect(() => loadOrCreateSigningKey(data)).toThrow(
      /belongs to user id 65534.*planted by another user is never used/,
    );
  });
});
