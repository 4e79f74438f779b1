/**
 * Who the inspected machine is: hostname, OS version, architecture and a stable machine id, as an
 * auditor would use them to tell machines apart in receipts.
 *
 * For an image scanned with `--host-root`, everything comes from the image's own files (never
 * from the machine running Divest); what cannot be known is said as `unknown`.
 */
import os from 'node:os';
import type { CommandRunner } from './runner';
import type { ProbeContext } from './inventory';
import type { HostIdentity, HostOs } from '../model/host';
import { readInRoot } from './fs-root';

const UNKNOWN = 'unknown';

async function text(root: string, p: string): Promise<string | undefined> {
  const b = await readInRoot(root, p);
  const s = b?.toString('utf8').trim();
  return s ? s : undefined;
}

function osReleaseField(osRelease: string | undefined, field: string): string | undefined {
  const m = new RegExp(`^${field}=(.*)$`, 'm').exec(osRelease ?? '');
  return m?.[1]?.replace(/^["']|["']$/g, '');
}

/** Identity of a Linux machine or image. */
export async function linuxIdentity(ctx: ProbeContext): Promise<HostIdentity> {
  const osRelease =
    (await text(ctx.hostRoot, '/etc/os-release')) ?? (await text(ctx.hostRoot, '/usr/lib/os-release'));
  return {
    hostname: ctx.live ? os.hostname() : ((await text(ctx.hostRoot, '/etc/hostname')) ?? UNKNOWN),
    os: 'linux',
    osVersion: osReleaseField(osRelease, 'PRETTY_NAME') ?? (ctx.live ? `Linux ${os.release()}` : UNKNOWN),
    arch: ctx.live ? os.arch() : UNKNOWN,
    machineId:
      (await text(ctx.hostRoot, '/etc/machine-id')) ??
      (await text(ctx.hostRoot, '/var/lib/dbus/machine-id')) ??
      UNKNOWN,
  };
}

/** Identity of a Mac or a macOS image. The live machine id is the hardware UUID (one `ioreg`). */
export async function macosIdentity(ctx: ProbeContext, runner: CommandRunner): Promise<HostIdentity> {
  const sv = await text(ctx.hostRoot, '/System/Library/CoreServices/SystemVersion.plist');
  const version = /<key>ProductVersion<\/key>\s*<string>([^<]+)<\/string>/.exec(sv ?? '')?.[1];
  let machineId = UNKNOWN;
  if (ctx.live) {
    const r = await runner.run(['/usr/sbin/ioreg', '-rd1', '-c', 'IOPlatformExpertDevice'], {
      timeoutMs: 15_000,
    });
    machineId = /"IOPlatformUUID" = "([0-9A-Fa-f-]+)"/.exec(r.stdout)?.[1]?.toLowerCase() ?? UNKNOWN;
  }
  return {
    hostname: ctx.live ? os.hostname() : UNKNOWN,
    os: 'macos',
    osVersion: version ? `macOS ${version}` : ctx.live ? `Darwin ${os.release()}` : UNKNOWN,
    arch: ctx.live ? os.arch() : UNKNOWN,
    machineId,
  };
}

/** Identity of the running Windows machine; the MachineGuid comes from the Windows probe. */
export function windowsIdentity(machineGuid: string | undefined): HostIdentity {
  let version = os.release();
  try {
    version = `${os.version()} (${os.release()})`;
  } catch {
    /* os.version() is always there on Node >= 20; keep release */
  }
  return {
    hostname: os.hostname(),
    os: 'windows',
    osVersion: version,
    arch: os.arch(),
    machineId: machineGuid ?? UNKNOWN,
  };
}

/** The OS Divest is running on. */
export function runningOs(): HostOs | undefined {
  switch (process.platform) {
    case 'win32':
      return 'windows';
    case 'darwin':
      return 'macos';
    case 'linux':
      return 'linux';
    default:
      return undefined;
  }
}
