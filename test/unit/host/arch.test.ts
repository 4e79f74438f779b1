/**
 * The machine architecture really read (issue 9.6): the hardware's for the running machine, the
 * image's own programs' for an image (before: always "unknown" for an image, Node's build for the
 * live machine).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { elfArch, imageArch, liveArch, normalizeMachine } from '../../../core/host/arch';
import { linuxIdentity } from '../../../core/host/identity';
import { ImageFs } from '../../../core/fs/image-fs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function root(files: Record<string, Buffer | string>): string {
  const r = mkdtempSync(path.join(os.tmpdir(), 'divest-arch-'));
  dirs.push(r);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(r, p)), { recursive: true });
    writeFileSync(path.join(r, p), content);
  }
  return r;
}
/** A 64-byte ELF header for e_machine `m` (little-endian, 64-bit). */
function elf(m: number, little = true): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = little ? 1 : 2;
  if (little) b.writeUInt16LE(m, 18);
  else b.writeUInt16BE(m, 18);
  return b;
}

describe('architecture', () => {
  it("reads this machine's own /bin/sh as the hardware's architecture", () => {
    expect(elfArch(readFileSync('/bin/sh'))).toBe(normalizeMachine(os.machine()));
    expect(liveArch()).toBe(normalizeMachine(os.machine()));
  });
  it('knows the ELF machines of the architectures Divest meets, and refuses what is not ELF', () => {
    expect(elfArch(elf(0xb7))).toBe('arm64');
    expect(elfArch(elf(0x3e))).toBe('x64');
    expect(elfArch(elf(0x03))).toBe('ia32');
    expect(elfArch(elf(0x16, false))).toBe('s390x');
    expect(elfArch(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(elfArch(Buffer.alloc(4))).toBeUndefined();
  });
  it('normalizes uname -m and Windows names to Node names', () => {
    expect(['x86_64', 'AMD64', 'aarch64', 'i686'].map(normalizeMachine)).toEqual([
      'x64',
      'x64',
      'arm64',
      'ia32',
    ]);
  });

  it("an image: its shell's ELF header, through a link resolved inside the image", async () => {
    const r = root({ 'usr/bin/sh': elf(0xb7) });
    symlinkSync('usr/bin', path.join(r, 'bin'));
    expect(await imageArch(new ImageFs(r))).toBe('arm64');
    const real = root({});
    mkdirSync(path.join(real, 'bin'));
    copyFileSync('/bin/sh', path.join(real, 'bin', 'sh'));
    expect(await imageArch(new ImageFs(real))).toBe(normalizeMachine(os.machine()));
  });
  it("an image without programs: dpkg's native architecture, else unknown", async () => {
    expect(await imageArch(new ImageFs(root({ 'var/lib/dpkg/arch': 'arm64\ni386\n' })))).toBe('arm64');
    expect(await imageArch(new ImageFs(root({ 'bin/sh': '#!/bin/busybox\n' })))).toBeUndefined();
    const id = await linuxIdentity({ hostRoot: root({ 'etc/hostname': 'img\n' }), live: false, os: 'linux' });
    expect(id.arch).toBe('unknown');
    const armed = await linuxIdentity({ hostRoot: root({ 'bin/sh': elf(0xb7) }), live: false, os: 'linux' });
    expect(armed.arch).toBe('arm64');
  });
});
