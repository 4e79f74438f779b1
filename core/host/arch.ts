/**
 * The machine's processor architecture, really read: for the running machine the hardware's (not
 * the Node build's: an x64 Divest emulated on an arm64 Windows or Mac still says arm64), and for
 * an image the architecture its own programs are built for (the ELF header of its shell), in
 * Node's names (`x64`, `arm64`, `ia32`, `arm`, ...). Undefined when it cannot be told.
 */
import os from 'node:os';
import type { ImageFs } from '../fs/image-fs';

const BY_MACHINE: Record<string, string> = {
  x86_64: 'x64',
  amd64: 'x64',
  aarch64: 'arm64',
  arm64: 'arm64',
  i386: 'ia32',
  i686: 'ia32',
  x86: 'ia32',
  armv7l: 'arm',
  armv6l: 'arm',
  riscv64: 'riscv64',
  ppc64le: 'ppc64',
  ppc64: 'ppc64',
  s390x: 's390x',
  loongarch64: 'loong64',
};

/** `uname -m`'s answer (or Windows' equivalent) in Node's names. */
export function normalizeMachine(machine: string): string {
  return BY_MACHINE[machine.toLowerCase()] ?? machine;
}

/** The running machine's architecture: `os.machine()`, the hardware's, not `os.arch()`, Node's. */
export function liveArch(): string {
  try {
    return normalizeMachine(os.machine());
  } catch {
    return os.arch();
  }
}

/** ELF e_machine values (System V ABI) in Node's names. */
const ELF_MACHINES: Record<number, string> = {
  0x03: 'ia32',
  0x28: 'arm',
  0x3e: 'x64',
  0xb7: 'arm64',
  0xf3: 'riscv64',
  0x15: 'ppc64',
  0x16: 's390x',
  0x102: 'loong64',
};

/** The architecture an ELF file is built for, from its header; undefined if it is not ELF. */
export function elfArch(head: Buffer): string | undefined {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const little = head[5] === 1;
  const machine = little ? head.readUInt16LE(18) : head.readUInt16BE(18);
  if (machine === 0x15 && little) return 'ppc64'; // ppc64le
  return ELF_MACHINES[machine];
}

/** Programs every Linux system has, tried in turn (links resolved inside the image). */
const LINUX_PROGRAMS = ['/bin/sh', '/usr/bin/env', '/bin/ls', '/usr/bin/dpkg', '/usr/bin/rpm', '/sbin/init'];

/** The architecture of a Linux image's programs, or undefined (no readable ELF program). */
export async function imageArch(fs: ImageFs): Promise<string | undefined> {
  for (const p of LINUX_PROGRAMS) {
    const head = await fs.readHeadOrUndefined(p, 64, 'program');
    const arch = head && elfArch(head);
    if (arch) return arch;
  }
  // No program to read (a bare test bed): dpkg's own record of the native architecture.
  const dpkgArch = (
    await fs.readTextOrUndefined('/var/lib/dpkg/arch', { maxBytes: 4096, what: 'dpkg arch file' })
  )
    ?.split('\n')[0]
    ?.trim();
  return dpkgArch ? normalizeMachine(dpkgArch) : undefined;
}
