/**
 * The Kaspersky regression corpus (test/fixtures/kaspersky-corpus/) turned into real beds and
 * scanned through the BUILT CLI: what a correct scanner finds in each artifact, and what it must
 * leave alone in each look-alike.
 *
 * - Linux: every package artifact is a real `.deb` installed by dpkg (and a real `.rpm` installed by
 *   rpm) into a root of its own; units and folders are written into a root of their own. The
 *   look-alikes are this machine's whole Debian package list (`apt-cache dumpavail`, every package
 *   with its real Maintainer) as an installed dpkg database, and a few real look-alike names as
 *   `.rpm`s.
 * - macOS: one root per artifact (bundles with an Info.plist written by plistlib, support folders);
 *   one root with every look-alike app.
 * - Windows (Wine): three prefixes (Uninstall entries and services; drivers and folders, as a failed
 *   uninstall leaves them; look-alikes), registry written with `reg import` of a UTF-16 .reg file,
 *   scanned by the CLI on the Windows node.exe.
 *
 * One artifact counts as detected when a banned finding holds its evidence (and, for an artifact
 * that means "installed", says installed); as the right product when that finding is the product
 * the corpus expects. Vendor-wide traces (expected: the unidentified product) join whichever
 * product is found, by design, so any Kaspersky finding is right for them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../core/model/scan';
import {
  type Bed,
  type FixturePackage,
  buildDeb,
  buildRpm,
  debSpecOf,
  installDebs,
  installRpms,
  KASPERSKY_MAINTAINER,
  KASPERSKY_VENDOR,
  makeDpkgRoot,
  makeRpmRoot,
  rpmSpecOf,
  tempDir,
  writeIntoRoot,
} from '../beds/linux';
import { makeMacosRoot } from '../beds/macos';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
export const CORPUS = path.join(REPO, 'test/fixtures/kaspersky-corpus');

export type Os = 'windows' | 'linux' | 'macos';
export type Meaning = 'installed' | 'trace';
export const FALLBACK = 'kaspersky-unidentified';

export interface Artifact {
  id: string;
  class: string;
  kind: string;
  expect: string;
  meaning: Meaning;
  source: string[];
  note?: string;
  [k: string]: unknown;
}

export interface ArtifactResult {
  os: Os;
  id: string;
  class: string;
  expect: string;
  detected: boolean;
  rightProduct: boolean;
  /** What the scan said about it: product ids (and presence) of the findings holding it. */
  got: string[];
}

export interface LookalikeResult {
  os: Os;
  id: string;
  flagged: boolean;
  got: string[];
}

export interface CorpusRun {
  artifacts: ArtifactResult[];
  lookalikes: LookalikeResult[];
  /** Look-alike items scanned (a whole package list counts each package). */
  lookalikeItems: Record<Os, number>;
  skipped: string[];
}

export function readCorpus(os: Os): { artifacts: Artifact[]; lookalikes: unknown } {
  return JSON.parse(readFileSync(path.join(CORPUS, `${os}.json`), 'utf8')) as {
    artifacts: Artifact[];
    lookalikes: unknown;
  };
}

interface ScanJson {
  findings: Finding[];
}

function parseScan(stdout: string, what: string): Finding[] {
  try {
    return (JSON.parse(stdout) as ScanJson).findings;
  } catch {
    throw new Error(`${what}: the scan printed no JSON:\n${stdout.slice(0, 2000)}`);
  }
}

/** Scans an image root with the built CLI (exit 0 or 10 expected). */
export function scanRoot(cli: string, root: string, os: 'linux' | 'macos'): Finding[] {
  const data = tempDir('corpus-data');
  try {
    const r = spawnSync(
      process.execPath,
      [cli, 'scan', '--json', '--evidence', '--host-root', root, '--host-os', os, '--data-dir', data.root],
      { encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    if (r.status !== 0 && r.status !== 10)
      throw new Error(`scan of ${root} exited ${String(r.status)}:\n${r.stderr}${r.stdout.slice(0, 2000)}`);
    return parseScan(r.stdout, root);
  } finally {
    data.cleanup();
  }
}

/** Judges one artifact against the findings that hold its evidence. */
export function judge(
  os: Os,
  a: Artifact,
  findings: readonly Finding[],
  holds: (f: Finding) => boolean,
): ArtifactResult {
  const holding = findings.filter((f) => f.status === 'banned' && holds(f));
  const ok = (f: Finding): boolean => a.meaning === 'trace' || f.presence === 'installed';
  const detected = holding.some(ok);
  const vendorWide = a.expect === FALLBACK && a.meaning === 'trace';
  const rightProduct = holding.some((f) => ok(f) && (vendorWide || f.productId === a.expect));
  return {
    os,
    id: a.id,
    class: a.class,
    expect: a.expect,
    detected,
    rightProduct,
    got: holding.map((f) => `${f.productId} (${f.presence})`),
  };
}

const lower = (s: string): string => s.toLowerCase();
const evidenceHas = (f: Finding, test: (loc: string) => boolean): boolean =>
  f.evidence.some((e) => test(lower(e.location)));

// ---------------------------------------------------------------------------------------------
// Linux

interface LinuxPackage {
  name: string;
  version: string;
  files?: Record<string, string>;
  arch?: string;
}

function fixtureOf(
  p: LinuxPackage,
  maintainer = KASPERSKY_MAINTAINER,
  vendor = KASPERSKY_VENDOR,
): FixturePackage {
  const [version, release] = p.version.split('-');
  return {
    name: p.name,
    version: version ?? p.version,
    release: release ?? '1',
    ...(p.arch ? { arch: p.arch } : {}),
    maintainer,
    vendor,
    description: `${p.name} (Divest corpus bed)`,
    files: p.files ?? { [`/opt/kaspersky/${p.name}/bin/${p.name}`]: '#!/bin/sh\n' },
  };
}

function linuxBed(a: Artifact): Bed {
  if (a.kind === 'package') {
    const p = a.package as LinuxPackage;
    const out = tempDir('corpus-pkg');
    try {
      if (a.manager === 'rpm') {
        const bed = makeRpmRoot();
        installRpms(bed, [buildRpm(rpmSpecOf(fixtureOf(p)), out.root)]);
        return bed;
      }
      const bed = makeDpkgRoot({ foreignArchs: p.arch === 'i386' ? ['i386'] : [] });
      installDebs(bed.root, [buildDeb(debSpecOf(fixtureOf(p)), out.root)]);
      return bed;
    } finally {
      out.cleanup();
    }
  }
  const bed = makeDpkgRoot();
  if (a.kind === 'unit') {
    const name = (a.unit as { name: string }).name;
    writeIntoRoot(bed.root, {
      [`/lib/systemd/system/${name}.service`]: `[Unit]\nDescription=${name}\n[Service]\nExecStart=/bin/true\n`,
    });
  } else if (a.kind === 'folder') {
    const { path: p, files } = a.folder as { path: string; files: Record<string, string> | null };
    if (files)
      writeIntoRoot(bed.root, Object.fromEntries(Object.entries(files).map(([k, v]) => [`${p}/${k}`, v])));
    else writeIntoRoot(bed.root, { [p]: '{}\n' });
  }
  return bed;
}

function linuxHolds(a: Artifact): (f: Finding) => boolean {
  if (a.kind === 'package') {
    const name = lower((a.package as LinuxPackage).name);
    return (f) => evidenceHas(f, (l) => l.endsWith(`#${name}`) || l.includes(`#${name}:`));
  }
  if (a.kind === 'unit') {
    const name = lower((a.unit as { name: string }).name);
    return (f) => evidenceHas(f, (l) => l.endsWith(`/${name}.service`) || l.endsWith(`/${name}`));
  }
  const p = lower((a.folder as { path: string }).path);
  return (f) => evidenceHas(f, (l) => l === p || l.startsWith(`${p}/`) || p.startsWith(`${l}/`));
}

/** This machine's Debian package list as an installed dpkg status file (real names, real maintainers). */
function aptStatus(): { text: string; count: number } | undefined {
  const r = spawnSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0 || !r.stdout) return undefined;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const para of r.stdout.split(/\n\n+/)) {
    const name = /^Package: (\S+)$/m.exec(para)?.[1];
    if (!name || seen.has(name)) continue;
    seen.add(name);
    const keep = para
      .split('\n')
      .filter((l) =>
        /^(Package|Priority|Section|Installed-Size|Maintainer|Architecture|Version|Description|Essential):/.test(
          l,
        ),
      );
    out.push([keep[0], 'Status: install ok installed', ...keep.slice(1)].join('\n'));
  }
  return { text: `${out.join('\n\n')}\n`, count: seen.size };
}

export function runLinux(cli: string, log: (s: string) => void = () => {}): CorpusRun {
  const corpus = readCorpus('linux');
  const artifacts: ArtifactResult[] = [];
  for (const a of corpus.artifacts) {
    const bed = linuxBed(a);
    try {
      artifacts.push(judge('linux', a, scanRoot(cli, bed.root, 'linux'), linuxHolds(a)));
    } finally {
      bed.cleanup();
    }
    log(`linux ${a.id}: ${artifacts.at(-1)?.rightProduct ? 'ok' : 'MISSED'}`);
  }
  const lookalikes: LookalikeResult[] = [];
  const skipped: string[] = [];
  let items = 0;
  const la = corpus.lookalikes as { packages: string[] };
  const apt = aptStatus();
  if (apt) {
    const bed = makeDpkgRoot();
    try {
      writeFileSync(path.join(bed.root, 'var/lib/dpkg/status'), apt.text);
      const found = scanRoot(cli, bed.root, 'linux');
      items += apt.count;
      if (found.length === 0)
        lookalikes.push({
          os: 'linux',
          id: `apt-cache dumpavail (${apt.count} packages)`,
          flagged: false,
          got: [],
        });
      for (const f of found)
        lookalikes.push({
          os: 'linux',
          id: `apt-cache dumpavail: ${f.evidence.map((e) => e.location).join(', ')}`,
          flagged: true,
          got: [f.productId],
        });
    } finally {
      bed.cleanup();
    }
  } else skipped.push('linux: apt-cache dumpavail gave nothing (no package lists on this machine)');
  const out = tempDir('corpus-la');
  const rpmBed = makeRpmRoot();
  try {
    const rpms = la.packages.map((n) =>
      buildRpm(
        rpmSpecOf(
          fixtureOf(
            { name: n, version: '1.0-1', files: { [`/usr/bin/${n}`]: '#!/bin/sh\n' } },
            `Debian <${n}@packages.debian.org>`,
            'Debian',
          ),
        ),
        out.root,
      ),
    );
    installRpms(rpmBed, rpms);
    const found = scanRoot(cli, rpmBed.root, 'linux');
    items += la.packages.length;
    lookalikes.push({
      os: 'linux',
      id: `rpm look-alike names (${la.packages.length})`,
      flagged: found.length > 0,
      got: found.map((f) => f.productId),
    });
  } finally {
    rpmBed.cleanup();
    out.cleanup();
  }
  return { artifacts, lookalikes, lookalikeItems: { linux: items, windows: 0, macos: 0 }, skipped };
}

// ---------------------------------------------------------------------------------------------
// macOS

interface MacApp {
  path: string;
  CFBundleIdentifier: string;
  CFBundleName: string;
}

function macSpec(a: { kind: string; [k: string]: unknown }): Parameters<typeof makeMacosRoot>[0] {
  if (a.kind === 'app') {
    const app = a.app as MacApp;
    return {
      apps: [
        {
          path: app.path,
          info: {
            CFBundleIdentifier: app.CFBundleIdentifier,
            CFBundleName: app.CFBundleName,
            CFBundleShortVersionString: '21.0',
          },
        },
      ],
    };
  }
  if (a.kind === 'kext') return { kexts: [a.kext as { path: string; bundleId: string; version: string }] };
  if (a.kind === 'sysext') {
    const x = a.sysext as { identifier: string; teamID: string; version: string };
    return {
      systemExtensions: [{ ...x, state: 'activated_enabled', uuid: '6F1C0A2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B' }],
    };
  }
  if (a.kind === 'receipt') return { receipts: [a.receipt as { id: string; version: string }] };
  if (a.kind === 'launchd')
    return { launchd: [a.launchd as { path: string; label: string; program: string }] };
  const { path: p, files } = a.folder as { path: string; files: Record<string, string> };
  return { files: Object.fromEntries(Object.entries(files).map(([k, v]) => [`${p}/${k}`, v])) };
}

/** What in an evidence location shows the artifact: its path, or its identifier. */
function macNeedle(a: { kind: string; [k: string]: unknown }): string {
  const x = a[a.kind] as { path?: string; identifier?: string; id?: string };
  return lower(x.path ?? x.identifier ?? x.id ?? '');
}

function macHolds(a: Artifact): (f: Finding) => boolean {
  const p = macNeedle(a);
  if (a.kind === 'sysext' || a.kind === 'receipt') return (f) => evidenceHas(f, (l) => l.includes(p));
  return (f) => evidenceHas(f, (l) => l === p || l.startsWith(`${p}/`) || p.startsWith(`${l}/`));
}

export function runMacos(cli: string, log: (s: string) => void = () => {}): CorpusRun {
  const corpus = readCorpus('macos');
  const artifacts: ArtifactResult[] = [];
  for (const a of corpus.artifacts) {
    const bed = makeMacosRoot(macSpec(a));
    try {
      artifacts.push(judge('macos', a, scanRoot(cli, bed.root, 'macos'), macHolds(a)));
    } finally {
      bed.cleanup();
    }
    log(`macos ${a.id}: ${artifacts.at(-1)?.rightProduct ? 'ok' : 'MISSED'}`);
  }
  const la = corpus.lookalikes as { id: string; kind: string; app: MacApp }[];
  const bed = makeMacosRoot({ apps: la.flatMap((x) => macSpec(x).apps ?? []) });
  const lookalikes: LookalikeResult[] = [];
  try {
    const found = scanRoot(cli, bed.root, 'macos');
    for (const x of la) {
      const holding = found.filter(
        macHolds({ ...x, expect: '', meaning: 'installed', class: '', source: [] }),
      );
      lookalikes.push({
        os: 'macos',
        id: x.id,
        flagged: holding.length > 0,
        got: holding.map((f) => f.productId),
      });
    }
    if (found.length > 0 && lookalikes.every((l) => !l.flagged))
      lookalikes.push({
        os: 'macos',
        id: 'look-alike root',
        flagged: true,
        got: found.map((f) => f.productId),
      });
  } finally {
    bed.cleanup();
  }
  return { artifacts, lookalikes, lookalikeItems: { linux: 0, windows: 0, macos: la.length }, skipped: [] };
}

// ---------------------------------------------------------------------------------------------
// Windows (Wine)

interface WinUninstall {
  keyName: string;
  view: '64' | '32';
  DisplayName: string;
  Publisher: string;
  DisplayVersion: string;
  WindowsInstaller: number;
}
interface WinService {
  name: string;
  DisplayName: string;
  ImagePath: string;
  Type: number;
  Start: number;
}

const UNINSTALL = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall';
const SERVICES = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services';
const regStr = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const dword = (n: number): string => `dword:${n.toString(16).padStart(8, '0')}`;

/** A .reg file (UTF-16LE with BOM, as regedit writes it) with the items' keys. */
export function regFileOf(
  items: readonly { kind: string; uninstall?: unknown; service?: unknown }[],
): Buffer {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const it of items) {
    if (it.kind === 'uninstall') {
      const u = it.uninstall as WinUninstall;
      const msi = u.WindowsInstaller === 1;
      lines.push(
        `[${UNINSTALL}\\${u.keyName}]`,
        `"DisplayName"=${regStr(u.DisplayName)}`,
        `"Publisher"=${regStr(u.Publisher)}`,
        `"DisplayVersion"=${regStr(u.DisplayVersion)}`,
        `"WindowsInstaller"=${dword(msi ? 1 : 0)}`,
        `"UninstallString"=${regStr(msi ? `MsiExec.exe /X${u.keyName}` : `"C:\\Program Files (x86)\\Kaspersky Lab\\setup.exe" /x`)}`,
        '',
      );
    } else {
      const s = it.service as WinService;
      lines.push(
        `[${SERVICES}\\${s.name}]`,
        `"DisplayName"=${regStr(s.DisplayName)}`,
        `"ImagePath"=${regStr(s.ImagePath)}`,
        `"Type"=${dword(s.Type)}`,
        `"Start"=${dword(s.Start)}`,
        `"ErrorControl"=${dword(1)}`,
        '',
      );
    }
  }
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n'), 'utf16le')]);
}

function winHolds(a: {
  kind: string;
  uninstall?: unknown;
  service?: unknown;
  folder?: unknown;
}): (f: Finding) => boolean {
  if (a.kind === 'uninstall') {
    const k = lower(`\\uninstall\\${(a.uninstall as WinUninstall).keyName}`);
    return (f) => evidenceHas(f, (l) => l.endsWith(k));
  }
  if (a.kind === 'service' || a.kind === 'driver') {
    const k = lower(`\\services\\${(a.service as WinService).name}`);
    return (f) => evidenceHas(f, (l) => l.endsWith(k));
  }
  const p = lower((a.folder as { path: string }).path);
  return (f) => evidenceHas(f, (l) => l === p || l.startsWith(`${p}\\`) || p.startsWith(`${l}\\`));
}

export async function runWindows(cli: string, log: (s: string) => void = () => {}): Promise<CorpusRun> {
  const win = await import('../beds/windows');
  const reason = win.windowsSkipReason();
  if (reason)
    return {
      artifacts: [],
      lookalikes: [],
      lookalikeItems: { linux: 0, windows: 0, macos: 0 },
      skipped: [`windows: ${reason}`],
    };
  const nodeExe = win.ensureNodeExe();
  const corpus = readCorpus('windows');
  const la = corpus.lookalikes as { id: string; kind: string; uninstall?: unknown; service?: unknown }[];
  const template = win.createTemplatePrefix();
  const work = tempDir('corpus-win');
  const artifacts: ArtifactResult[] = [];
  const lookalikes: LookalikeResult[] = [];
  try {
    const groups: { name: string; items: typeof la; artifacts: Artifact[] }[] = [
      {
        name: 'entries-and-services',
        artifacts: corpus.artifacts.filter((a) => a.kind === 'uninstall' || a.kind === 'service'),
        items: [],
      },
      {
        name: 'drivers-and-folders',
        artifacts: corpus.artifacts.filter((a) => a.kind === 'driver' || a.kind === 'folder'),
        items: [],
      },
      { name: 'lookalikes', artifacts: [], items: la },
    ];
    for (const g of groups) {
      const prefix = win.clonePrefix(template);
      try {
        const regItems = [...g.artifacts, ...g.items].filter((x) => x.kind !== 'folder');
        const reg = path.join(work.root, `${g.name}.reg`);
        writeFileSync(reg, regFileOf(regItems));
        prefix.mustRun(['reg', 'import', win.zPath(reg)]);
        for (const a of g.artifacts.filter((x) => x.kind === 'folder')) {
          const { path: p, files } = a.folder as { path: string; files: Record<string, string> };
          for (const [rel, content] of Object.entries(files)) {
            const full = prefix.drive(`${p}\\${rel}`);
            mkdirSync(path.dirname(full), { recursive: true });
            writeFileSync(full, content);
          }
        }
        const r = prefix.run(
          [nodeExe, win.zPath(cli), 'scan', '--json', '--evidence', '--data-dir', win.DATA_DIR],
          {
            timeoutMs: 600_000,
          },
        );
        if (r.status !== 0 && r.status !== 10)
          throw new Error(
            `windows scan (${g.name}) exited ${String(r.status)}:\n${r.stderr}${r.stdout.slice(0, 2000)}`,
          );
        const found = parseScan(r.stdout, g.name);
        for (const a of g.artifacts) {
          artifacts.push(judge('windows', a, found, winHolds(a)));
          log(`windows ${a.id}: ${artifacts.at(-1)?.rightProduct ? 'ok' : 'MISSED'}`);
        }
        for (const x of g.items) {
          const holding = found.filter(winHolds(x));
          lookalikes.push({
            os: 'windows',
            id: x.id,
            flagged: holding.length > 0,
            got: holding.map((f) => f.productId),
          });
        }
        if (g.name === 'lookalikes' && found.length > 0 && lookalikes.every((l) => !l.flagged))
          lookalikes.push({
            os: 'windows',
            id: 'look-alike prefix',
            flagged: true,
            got: found.map((f) => f.productId),
          });
      } finally {
        prefix.cleanup();
      }
    }
  } finally {
    template.cleanup();
    rmSync(work.root, { recursive: true, force: true });
  }
  return { artifacts, lookalikes, lookalikeItems: { linux: 0, windows: la.length, macos: 0 }, skipped: [] };
}

// ---------------------------------------------------------------------------------------------
// Figures

export interface OsFigures {
  os: Os;
  artifacts: number;
  detected: number;
  rightProduct: number;
  lookalikes: number;
  falsePositives: number;
}

export function figures(runs: readonly CorpusRun[]): OsFigures[] {
  const oses: Os[] = ['windows', 'linux', 'macos'];
  return oses.map((os) => {
    const a = runs.flatMap((r) => r.artifacts).filter((x) => x.os === os);
    const l = runs.flatMap((r) => r.lookalikes).filter((x) => x.os === os);
    return {
      os,
      artifacts: a.length,
      detected: a.filter((x) => x.detected).length,
      rightProduct: a.filter((x) => x.rightProduct).length,
      lookalikes: runs.reduce((n, r) => n + r.lookalikeItems[os], 0),
      falsePositives: l.filter((x) => x.flagged).length,
    };
  });
}
