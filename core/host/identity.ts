/**
 * Who the inspected machine is: hostname, OS version, architecture and a stable machine id, as an
 * auditor would use them to tell machines apart in receipts.
 *
 * For an image scanned with `--host-root`, everything comes from the image's own files (never
 * from the machine running Divest); what cannot be known is said as `unknown`.
 *
 * The files are small (capped at {@link READ_CAPS.identity}) and every value kept is bounded
 * ({@link IDENTITY_FIELD_MAX}, with a visible marker): a 17 MB `PRETTY_NAME` must not stop the
 * scan from being printed and journaled.
 */
import os from 'node:os';
import type { CommandRunner } from './runner';
import type { ProbeContext } from './inventory';
import type { HostIdentity, HostOs } from '../model/host';
import { ImageFs } from '../fs/image-fs';
import { boundText, IDENTITY_FIELD_MAX, READ_CAPS } from './limits';
import { imageArch, liveArch } from './arch';

const UNKNOWN = 'unknown';

/** The trimmed text of a small identity file of the machine, or undefined. */
async function text(fs: ImageFs, p: string): Promise<string | undefined> {
  const s = (
    await fs.readTextOrUndefined(p, { maxBytes: READ_CAPS.identity, what: 'identity file' })
  )?.trim();
  return s ? boundText(s, IDENTITY_FIELD_MAX) : undefined;
}

function osReleaseField(osRelease: string | undefined, field: string): string | undefined {
  const m = new RegExp(`^${field}=(.*)$`, 'm').exec(osRelease ?? '');
  const value = m?.[1]?.replace(/^["']|["']$/g, '');
  return value === undefined ? undefined : boundText(value, IDENTITY_FIELD_MAX);
}

/** Identity of a Linux machine or image. */
export async function linuxIdentity(ctx: ProbeContext): Promise<HostIdentity> {
  const fs = new ImageFs(ctx.hostRoot);
  const read = (p: string): Promise<string | undefined> =>
    fs.readTextOrUndefined(p, { maxBytes: READ_CAPS.identity, what: 'os-release file' });
  const osRelease = (await read('/etc/os-release')) ?? (await read('/usr/lib/os-release'));
  return {
    hostname: ctx.live ? os.hostname() : ((await text(fs, '/etc/hostname')) ?? UNKNOWN),
    os: 'linux',
    osVersion: osReleaseField(osRelease, 'PRETTY_NAME') ?? (ctx.live ? `Linux ${os.release()}` : UNKNOWN),
    arch: ctx.live ? liveArch() : ((await imageArch(fs)) ?? UNKNOWN),
    machineId: (await text(fs, '/etc/machine-id')) ?? (await text(fs, '/var/lib/dbus/machine-id')) ?? UNKNOWN,
  };
}

/** Identity of a Mac or a macOS image. The live machine id is the hardware UUID (one `ioreg`). */
export async function macosIdentity(ctx: ProbeContext, runner: CommandRunner): Promise<HostIdentity> {
  const fs = new ImageFs(ctx.hostRoot);
  const sv = await fs.readTextOrUndefined('/System/Library/CoreServices/SystemVersion.plist', {
    maxBytes: READ_CAPS.identity,
    what: 'SystemVersion.plist',
  });
  const found = /<key>ProductVersion<\/key>\s*<string>([^<]+)<\/string>/.exec(sv ?? '')?.[1];
  const version = found === undefined ? undefined : boundText(found.trim(), IDENTITY_FIELD_MAX);
  let machineId = UNKNOWN;
  if (ctx.live) {
    const r = await runner.run(['/usr/sbin/ioreg', '-rd1', '-c', 'IOPlatformExpertDevice'], {
      timeoutMs: 15_000,
    });
    const uuid = /"IOPlatformUUID" = "([0-9A-Fa-f-]+)"/.exec(r.stdout)?.[1]?.toLowerCase();
    machineId = uuid === undefined ? UNKNOWN : boundText(uuid, IDENTITY_FIELD_MAX);
  }
  return {
    hostname: ctx.live ? os.hostname() : UNKNOWN,
    os: 'macos',
    osVersion: version ? `macOS ${version}` : ctx.live ? `Darwin ${os.release()}` : UNKNOWN,
    // An image's system programs are universal (x64 and arm64 in one file): it cannot be told.
    arch: ctx.live ? liveArch() : UNKNOWN,
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
    arch: liveArch(),
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
