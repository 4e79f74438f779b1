/**
 * Images that lie, hang or overflow (issue 15.6, 15.7, 15.8), scanned by the built CLI:
 *
 * - FIFOs where the image should have files (dpkg `status`, a package's `.list`, `/etc/machine-id`,
 *   os-release) must not hang the scan;
 * - an absolute link inside the image (`/opt -> /srv/opt`, a linked `/var/lib/dpkg`) means the
 *   image's own `/`: what is behind it is found;
 * - a place that cannot be read (a 0700 vendor folder, an unreadable dpkg `status`, scanned by a
 *   user without rights) is a blind note naming it, never "absent";
 * - a field of absurd size (a 17 MB PRETTY_NAME, Version or Maintainer) is bounded, so the scan is
 *   both printed and journaled.
 *
 * dpkg roots are made by the real dpkg (test/beds/linux.ts); the scans run as child processes with
 * a time-out, so a hang fails instead of stalling the run.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult, type ScanResult as ScanResultType } from '../../../core/model/scan';
import {
  bedFixtures,
  ensureBuiltCli,
  fifoInRoot,
  KASPERSKY_MAINTAINER,
  makeDpkgBed,
  openToEveryone,
  relocateWithAbsoluteLink,
  runCli,
  skipReason,
  tempDir,
  unprivilegedUser,
  writeIntoRoot,
  type Bed,
  type CliRun,
} from '../../beds/linux';
import { KASPERSKY_KES_MAC, makeMacosRoot, pythonAvailable } from '../../beds/macos';

const KESL = 'kaspersky-endpoint-security-linux';
const TRUNCATED = '…(truncated)';
const isRoot = process.getuid?.() === 0;
const noDpkg = skipReason(['dpkg', 'dpkg-deb']);

const beds: Bed[] = [];
afterAll(() => beds.forEach((b) => b.cleanup()));
function keep<T extends Bed>(b: T): T {
  beds.push(b);
  return b;
}

interface Scan {
  run: CliRun;
  result: ScanResultType;
  data: string;
}

/** `divest scan --json` of `root` (as `asUser` when given), validated against divest.scan/1. */
function scan(root: string, asUser?: { uid: number; gid: number }, os = 'linux'): Scan {
  const data = keep(tempDir('hostile-data')).root;
  if (asUser) chownSync(data, asUser.uid, asUser.gid);
  const run = runCli(['scan', '--json', '--host-root', root, '--host-os', os, '--data-dir', data], {
    timeoutMs: 30_000,
    ...(asUser ? { asUser } : {}),
  });
  let raw: unknown;
  try {
    raw = JSON.parse(run.stdout);
  } catch {
    throw new Error(`scan --json printed no JSON (exit ${String(run.status)}):\n${run.stderr}`);
  }
  return { run, result: ScanResult.parse(raw), data };
}

const blindNotes = (r: ScanResultType) => r.notes.filter((n) => n.blind === true);
const kesl = (r: ScanResultType) => r.findings.find((f) => f.productId === KESL);
const journalText = (s: Scan): string => readFileSync(path.join(s.data, 'journal.jsonl'), 'utf8');

beforeAll(() => {
  ensureBuiltCli();
});

describe.skipIf(noDpkg)('FIFOs inside an image do not hang the scan (15.6)', () => {
  it('dpkg status as a FIFO: the scan ends with a blind note naming it', () => {
    const bed = keep(makeDpkgBed([]));
    fifoInRoot(bed.root, '/var/lib/dpkg/status');
    const { run, result } = scan(bed.root);
    expect(run.status, run.stderr).toBe(0);
    const [note] = blindNotes(result);
    expect(note?.message).toMatch(
      /^\/var\/lib\/dpkg\/status: is a named pipe \(FIFO\), not a regular file; dpkg's package database could not be inspected/,
    );
    expect(result.notes.some((n) => n.message.startsWith('No dpkg or rpm package database'))).toBe(false);
  });

  it('a package file list, machine-id and os-release as FIFOs: KESL still found, identity unknown', () => {
    const bed = keep(makeDpkgBed([bedFixtures.kesl]));
    fifoInRoot(bed.root, '/var/lib/dpkg/info/kesl.list');
    fifoInRoot(bed.root, '/etc/machine-id');
    fifoInRoot(bed.root, '/etc/os-release');
    const { run, result } = scan(bed.root);
    expect(run.status, run.stderr).toBe(10);
    expect(kesl(result)?.presence).toBe('installed');
    expect(result.host).toMatchObject({ machineId: 'unknown', osVersion: 'unknown' });
    expect(result.notes.map((n) => n.message)).toContain(
      '/var/lib/dpkg/info/kesl.list: is a named pipe (FIFO), not a regular file; the files of kesl are not listed',
    );
  });
});

describe.skipIf(noDpkg)('images that lie: absolute links mean the image’s own / (15.7)', () => {
  it('/opt -> /srv/opt with a manual KESL behind it is found, not called clean', () => {
    const bed = keep(tempDir('lying-opt'));
    writeIntoRoot(bed.root, {
      '/opt/kaspersky/kesl/bin/kesl-control': 'stand-in\n',
      '/opt/kaspersky/kesl/shared/version': '12.1.0.1234\n',
    });
    relocateWithAbsoluteLink(bed.root, '/opt', '/srv/opt');
    const { run, result } = scan(bed.root);
    expect(run.status, JSON.stringify(result.notes)).toBe(10);
    const f = kesl(result);
    expect(f?.presence).toBe('installed');
    expect(f?.evidence.map((e) => e.location)).toContain('/opt/kaspersky/kesl');
  });

  it('a linked /var/lib/dpkg (-> /srv/dpkg) is read through the link inside the image', () => {
    const bed = keep(makeDpkgBed([bedFixtures.kesl]));
    relocateWithAbsoluteLink(bed.root, '/var/lib/dpkg', '/srv/dpkg');
    const { run, result } = scan(bed.root);
    expect(run.status, run.stderr).toBe(10);
    expect(kesl(result)?.evidence.some((e) => e.kind === 'package')).toBe(true);
    expect(result.notes.some((n) => n.message.startsWith('No dpkg or rpm package database'))).toBe(false);
  });
});

describe.skipIf(noDpkg || !isRoot)('places a user cannot read are blind, never absent (15.7)', () => {
  let user: { uid: number; gid: number };
  beforeAll(() => {
    user = unprivilegedUser();
  });

  /** A root everyone can read, with a manual KESL; `locked` (root's, 0700) stays closed. */
  function bedWithLocked(locked: string): string {
    const bed = keep(makeDpkgBed([]));
    writeIntoRoot(bed.root, { '/opt/kaspersky/kesl/bin/kesl-control': 'stand-in\n' });
    openToEveryone(bed.root);
    chmodSync(path.join(bed.root, locked), 0o700);
    return bed.root;
  }

  it('a 0700 /opt/kaspersky/kesl scanned without root: a blind note names it', () => {
    const { run, result } = scan(bedWithLocked('/opt/kaspersky/kesl'), user);
    expect([0, 10], run.stderr).toContain(run.status);
    const blind = blindNotes(result);
    expect(blind.map((n) => n.message.split(':')[0])).toContain('/opt/kaspersky/kesl');
    expect(blind.find((n) => n.message.startsWith('/opt/kaspersky/kesl:'))?.message).toMatch(
      /not readable \(permission denied\).*cannot call this machine clean/,
    );
  });

  it('a 0700 /opt/kaspersky hides KESL from the user: the scan is not clean, it is blind there', () => {
    const { run, result } = scan(bedWithLocked('/opt/kaspersky'), user);
    expect([0, 10], run.stderr).toContain(run.status);
    const places = blindNotes(result).map((n) => n.message.split(':')[0]);
    expect(places).toEqual(expect.arrayContaining(['/opt/kaspersky', '/opt/kaspersky/kesl']));
  });

  it('an unreadable dpkg status is blind, not "no dpkg"', () => {
    const root = bedWithLocked('/opt/kaspersky/kesl');
    chmodSync(path.join(root, 'var/lib/dpkg/status'), 0o600);
    const { result } = scan(root, user);
    const note = blindNotes(result).find((n) => n.probe === 'linux.dpkg');
    expect(note?.message).toMatch(/^\/var\/lib\/dpkg\/status: not readable \(permission denied\)/);
    expect(result.notes.some((n) => n.message.startsWith('No dpkg or rpm package database'))).toBe(false);
  });

  it.skipIf(!pythonAvailable())('macOS: a locked /Applications and vendor folder are blind notes', () => {
    const bed = keep(makeMacosRoot(KASPERSKY_KES_MAC));
    openToEveryone(bed.root);
    chmodSync(bed.at('/Applications'), 0o700);
    chmodSync(bed.at('/Library/Application Support'), 0o700);
    const { run, result } = scan(bed.root, user, 'macos');
    expect([0, 10], run.stderr).toContain(run.status);
    const places = blindNotes(result).map((n) => n.message.split(':')[0]);
    expect(places).toEqual(
      expect.arrayContaining(['/Applications', '/Library/Application Support/Kaspersky Lab']),
    );
  });

  it('the text output carries the blind notes too', () => {
    const root = bedWithLocked('/opt/kaspersky');
    const data = keep(tempDir('hostile-data')).root;
    chownSync(data, user.uid, user.gid);
    const r = runCli(['scan', '--host-root', root, '--host-os', 'linux', '--data-dir', data], {
      timeoutMs: 30_000,
      asUser: user,
    });
    expect(r.stdout).toMatch(/WARNING: \/opt\/kaspersky\/kesl: not readable \(permission denied\)/);
  });
});

describe('fields of absurd size are bounded, so the scan prints and is journaled (15.8)', () => {
  it('a 17 MB PRETTY_NAME: printed, recorded, identity unknown (os-release over its cap)', () => {
    const bed = keep(tempDir('huge-os-release'));
    writeIntoRoot(bed.root, { '/etc/os-release': `NAME=x\nPRETTY_NAME="${'A'.repeat(17_000_000)}"\n` });
    const s = scan(bed.root);
    expect(s.run.stderr).not.toContain('not recorded');
    expect(s.result.host.osVersion).toBe('unknown');
    expect(journalText(s)).toContain('"scan.finished"');
  });

  it('a 10 KB PRETTY_NAME is cut to 1 KiB with a visible marker', () => {
    const bed = keep(tempDir('long-os-release'));
    writeIntoRoot(bed.root, { '/etc/os-release': `PRETTY_NAME="${'B'.repeat(10_000)}"\n` });
    const { result } = scan(bed.root);
    expect(result.host.osVersion).toBe(`${'B'.repeat(1024)}${TRUNCATED}`);
  });

  it('a package with a 17 MB Version and Maintainer: found, bounded, printed and recorded', () => {
    const bed = keep(tempDir('huge-package'));
    const huge = 'C'.repeat(17_000_000);
    mkdirSync(path.join(bed.root, 'var/lib/dpkg'), { recursive: true });
    writeFileSync(
      path.join(bed.root, 'var/lib/dpkg/status'),
      [
        'Package: kesl',
        'Status: install ok installed',
        `Maintainer: ${KASPERSKY_MAINTAINER} ${huge}`,
        'Architecture: amd64',
        `Version: 12.1.0-${huge}`,
        `Description: Kaspersky Endpoint Security for Linux ${huge}`,
        '',
      ].join('\n'),
    );
    const s = scan(bed.root);
    expect(s.run.status, s.run.stderr).toBe(10);
    expect(s.run.stderr).not.toContain('not recorded');
    const version = kesl(s.result)?.version ?? '';
    expect(version.endsWith(TRUNCATED)).toBe(true);
    expect(version.length).toBeLessThanOrEqual(4096 + TRUNCATED.length);
    expect(s.run.stdout.length).toBeLessThan(1_000_000);
    expect(journalText(s)).toContain('"scan.finished"');
  });
});
