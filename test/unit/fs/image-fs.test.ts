/**
 * The one image reader (core/fs/image-fs.ts): an image's links mean the image's own `/`, nothing
 * outside the root is ever read, and only regular files under a cap are read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeImageError, ImageFs, ImageFsError, isAbsent, isBlind } from '../../../core/fs/image-fs';

const posix = process.platform !== 'win32';
const root = mkdtempSync(path.join(tmpdir(), 'divest-image-fs-'));
const outside = mkdtempSync(path.join(tmpdir(), 'divest-image-outside-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function put(p: string, content: string): void {
  const full = path.join(root, p);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

async function failure(fn: () => Promise<unknown>): Promise<ImageFsError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageFsError);
    return e as ImageFsError;
  }
  throw new Error('it succeeded');
}

const opts = { maxBytes: 1024, what: 'test file' };

describe.skipIf(!posix)('ImageFs', () => {
  const fs = new ImageFs(root);

  beforeAll(() => {
    put('/srv/opt/kaspersky/kesl/shared/version', '12.1.0.1234\n');
    symlinkSync('/srv/opt', path.join(root, 'opt'));
    put('/usr/lib/os-release', 'PRETTY_NAME="Image OS"\n');
    mkdirSync(path.join(root, 'etc'));
    symlinkSync('../usr/lib/os-release', path.join(root, 'etc/os-release'));
    writeFileSync(path.join(outside, 'secret'), 'not the image\n');
    symlinkSync(path.join(outside, 'secret'), path.join(root, 'etc/absolute-out'));
    symlinkSync(`../../../../../../../../..${outside}/secret`, path.join(root, 'etc/climbs-out'));
    symlinkSync('loop-b', path.join(root, 'etc/loop-a'));
    symlinkSync('loop-a', path.join(root, 'etc/loop-b'));
    execFileSync('mkfifo', [path.join(root, 'etc/machine-id')]);
    put('/etc/big', 'x'.repeat(2048));
  });

  it('resolves an absolute link against the image root: /opt -> /srv/opt holds the image’s KESL', async () => {
    const st = await fs.stat('/opt/kaspersky/kesl');
    expect(st.kind).toBe('dir');
    expect(fs.shown(st.resolved)).toBe('/srv/opt/kaspersky/kesl');
    expect(st.resolved.disk).toBe(path.join(root, 'srv/opt/kaspersky/kesl'));
    expect((await fs.read('/opt/kaspersky/kesl/shared/version', opts)).toString()).toBe('12.1.0.1234\n');
  });

  it('follows a relative link inside the image (Debian’s /etc/os-release)', async () => {
    expect((await fs.read('/etc/os-release', opts)).toString()).toBe('PRETTY_NAME="Image OS"\n');
  });

  it('never reads the scanning machine’s files: an absolute link means the image’s own /', async () => {
    const e = await failure(() => fs.read('/etc/absolute-out', opts));
    expect(e.reason).toBe('ENOENT');
    expect(isAbsent(e)).toBe(true);
  });

  it('refuses a relative link that climbs above the root, and a loop, as places it could not inspect', async () => {
    const escape = await failure(() => fs.read('/etc/climbs-out', opts));
    expect(escape.reason).toBe('ESCAPE');
    expect(escape.phrase).toBe(
      `a symbolic link on the way leads outside the inspected root (${root}); not followed`,
    );
    const loop = await failure(() => fs.stat('/etc/loop-a'));
    expect(loop.reason).toBe('ELOOP');
    expect(isBlind(escape) && isBlind(loop)).toBe(true);
  });

  it('refuses a FIFO and a file over the cap without blocking or reading it', async () => {
    const fifo = await failure(() => fs.read('/etc/machine-id', opts));
    expect(fifo.reason).toBe('ENOTFILE');
    expect(fifo.phrase).toBe('is a named pipe (FIFO), not a regular file');
    const big = await failure(() => fs.read('/etc/big', opts));
    expect(big.reason).toBe('EFBIG');
    expect(big.phrase).toBe('is 2 KiB (2048 bytes), over the 1 KiB limit');
    expect(isBlind(fifo) && isBlind(big)).toBe(true);
  });

  it('lists a folder with links followed inside the image, and says which links it skipped', async () => {
    const { entries, skipped } = await fs.list(await fs.resolve('/etc'), '/etc');
    expect(entries.map((e) => `${e.name}:${e.kind}`)).toEqual([
      'big:file',
      'machine-id:other',
      'os-release:file',
    ]);
    expect(skipped.map((s) => `${s.real}:${s.error.reason}`)).toEqual([
      '/etc/absolute-out:ENOENT',
      '/etc/climbs-out:ESCAPE',
      '/etc/loop-a:ELOOP',
      '/etc/loop-b:ELOOP',
    ]);
  });

  it('tells an entry that exists from one that does not, without following it', async () => {
    const etc = await fs.resolve('/etc');
    expect(await fs.hasEntry(etc, 'absolute-out')).toBe(true);
    expect(await fs.hasEntry(etc, 'nothing-here')).toBe(false);
  });

  it('on the running system, /.. is /', async () => {
    const live = new ImageFs('/');
    expect(live.shown(await live.resolve('/../../etc'))).toBe('/etc');
  });

  it('describes OS errors in words, keeping the reason', () => {
    const e = describeImageError(Object.assign(new Error('x'), { code: 'EACCES' }));
    expect([e.reason, e.phrase, isBlind(e)]).toEqual(['EACCES', 'not readable (permission denied)', true]);
  });
});
