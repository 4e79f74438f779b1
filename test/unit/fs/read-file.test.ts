/**
 * The one safe file reader (core/fs/read-file.ts): regular files only, never through a link, never
 * blocking on a FIFO, never past the caller's cap. Each refusal is one sentence naming the file and
 * what it is.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDivestError } from '../../../core/errors';
import {
  FileRefusedError,
  formatSize,
  KiB,
  MiB,
  readRegularFile,
  readRegularFileSync,
} from '../../../core/fs/read-file';

const posix = process.platform !== 'win32';
const dir = mkdtempSync(path.join(tmpdir(), 'divest-read-file-'));
let server: Server | undefined;
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (name: string): string => path.join(dir, name);

/** The error `fn` throws (sync or async), or a failure when it does not throw. */
async function refusal(fn: () => unknown): Promise<FileRefusedError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FileRefusedError);
    return e as FileRefusedError;
  }
  throw new Error('the file was read');
}

const both = (file: string, maxBytes = MiB, what = 'test file') => ({
  async: () => readRegularFile(file, { maxBytes, what }),
  sync: () => readRegularFileSync(file, { maxBytes, what }),
});

describe.skipIf(!posix)('readRegularFile', () => {
  beforeAll(async () => {
    writeFileSync(at('plain.txt'), 'hello\n');
    writeFileSync(at('big.bin'), Buffer.alloc(3 * KiB, 0x61));
    execFileSync('mkfifo', [at('pipe')]);
    symlinkSync(at('plain.txt'), at('link'));
    symlinkSync(at('nowhere'), at('dangling'));
    mkdirSync(at('folder'));
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(at('sock'), resolve));
  });

  it('reads a regular file, sync and async', async () => {
    const r = both(at('plain.txt'));
    expect((await r.async()).toString()).toBe('hello\n');
    expect(r.sync().toString()).toBe('hello\n');
  });

  it('refuses a FIFO at once instead of waiting for a writer, naming it', async () => {
    for (const fn of Object.values(both(at('pipe'), MiB, 'catalog file'))) {
      const started = Date.now();
      const e = await refusal(fn);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(e.message).toBe(`The catalog file ${at('pipe')} is a named pipe (FIFO), not a regular file.`);
      expect(e.refusal).toBe('fifo');
      expect(isDivestError(e, 'invalid-input')).toBe(true);
    }
  });

  it('refuses /dev/zero (it never ends) as a character device', async () => {
    for (const fn of Object.values(both('/dev/zero'))) {
      const e = await refusal(fn);
      expect(e.message).toBe('The test file /dev/zero is a character device, not a regular file.');
    }
  });

  it('refuses a symbolic link, even to a good file, and a dangling one', async () => {
    for (const file of [at('link'), at('dangling')]) {
      for (const fn of Object.values(both(file))) {
        const e = await refusal(fn);
        expect(e.refusal).toBe('symbolic-link');
        expect(e.message).toBe(
          `The test file ${file} is a symbolic link, which Divest does not follow here.`,
        );
      }
    }
  });

  it('refuses a folder and a socket, saying what each is', async () => {
    for (const fn of Object.values(both(at('folder')))) expect((await refusal(fn)).refusal).toBe('folder');
    for (const fn of Object.values(both(at('sock')))) {
      const e = await refusal(fn);
      expect(e.message).toBe(`The test file ${at('sock')} is a socket, not a regular file.`);
    }
  });

  it('refuses a file over the cap before reading it, naming its size and the cap', async () => {
    for (const fn of Object.values(both(at('big.bin'), 2 * KiB, 'receipt file'))) {
      const e = await refusal(fn);
      expect(e.refusal).toBe('too-large');
      expect(e.message).toBe(
        `The receipt file ${at('big.bin')} is 3 KiB (3072 bytes), over the 2 KiB limit.`,
      );
    }
    // Exactly at the cap is fine.
    expect(readRegularFileSync(at('big.bin'), { maxBytes: 3 * KiB, what: 'x' }).length).toBe(3 * KiB);
  });

  it('stops at the cap on a file that says it is empty (a /proc file) and reads one that fits', async () => {
    // /proc/self/maps reports size 0 but holds far more than 16 bytes.
    for (const fn of Object.values(both('/proc/self/maps', 16))) {
      const e = await refusal(fn);
      expect(e.message).toMatch(/grew past the 16 bytes limit while it was read\.$/);
    }
    const comm = await readRegularFile('/proc/self/comm', { maxBytes: 64 * KiB, what: 'x' });
    expect(comm.toString().trim().length).toBeGreaterThan(0);
  });

  it('names the file as the caller shows it (an image path) when asked', async () => {
    const e = await refusal(() =>
      readRegularFile(at('pipe'), {
        maxBytes: MiB,
        what: 'dpkg status file',
        shownAs: '/var/lib/dpkg/status',
      }),
    );
    expect(e.message).toBe(
      'The dpkg status file /var/lib/dpkg/status is a named pipe (FIFO), not a regular file.',
    );
  });

  it('lets errors of the OS through unchanged (a missing file is not a refusal)', async () => {
    await expect(readRegularFile(at('missing'), { maxBytes: 1, what: 'x' })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(() => readRegularFileSync(at('missing'), { maxBytes: 1, what: 'x' })).toThrow(/ENOENT/);
  });

  it('formats sizes for people', () => {
    expect(formatSize(8 * MiB)).toBe('8 MiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(20 * 1024 * MiB)).toBe('20 GiB');
  });
});
