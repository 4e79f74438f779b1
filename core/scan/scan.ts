/**
 * One scan: probe the machine, check the catalog's paths, match, and say what could not be seen.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LoadedCatalog } from '../catalog/load';
import { DivestError } from '../errors';
import type { CommandRunner } from '../host/runner';
import type { InventoryItem, ProbeContext, ProbeNote } from '../host/inventory';
import type { HostIdentity, HostOs } from '../model/host';
import { linuxIdentity, macosIdentity, runningOs, windowsIdentity } from '../host/identity';
import { probeLinux } from '../host/linux';
import { probeWindows } from '../host/windows';
import { checkPaths } from '../host/paths';
import { catalogPaths, compileCatalog, packageInterest } from './compile';
import { matchInventory } from './match';
import { programFolders } from './program-folders';
import { SCAN_SCHEMA, type ScanResult } from '../model/scan';

/** A scan request that cannot be carried out as asked (exit code 2 in the CLI). */
function usage(message: string): DivestError<'usage'> {
  return new DivestError('usage', message);
}

export interface ScanOptions {
  catalog: LoadedCatalog;
  runner: CommandRunner;
  /** Inspect this folder as `/` (an image or a test bed) instead of the running system. */
  hostRoot?: string;
  /** The OS whose layout `hostRoot` has; defaults to the running OS. */
  hostOs?: HostOs;
  appVersion: string;
  now?: () => Date;
  env?: NodeJS.ProcessEnv;
  /** Told after each part of the scan is done (see {@link SCAN_PROBES}). */
  onProgress?: (p: ScanProbeProgress) => void;
}

/** The parts of a scan, in words, in the order they usually finish. */
export const SCAN_PROBES = {
  identity: 'Reading who this machine is',
  inventory: 'Reading installed packages, programs, services and processes',
  paths: "Checking the catalog's files and folders",
  match: 'Matching what was found against the catalog',
} as const;

/** A scan's progress: `done` of `total` parts finished; `probe` is the one that just finished. */
export interface ScanProbeProgress {
  done: number;
  total: number;
  probe: string;
}

/** The machine being inspected: its OS layout, its root folder, and whether it is the live system. */
export interface Target {
  os: HostOs;
  root: string;
  live: boolean;
}

/** Resolves what is to be scanned, or says clearly why it cannot be. */
export function resolveTarget(hostRoot: string | undefined, hostOs: HostOs | undefined): Target {
  const running = runningOs();
  const os = hostOs ?? running;
  if (!os) throw usage(`Divest does not know how to scan this platform (${process.platform}).`);
  if (hostRoot === undefined) {
    if (os !== running)
      throw usage(
        `--host-os ${os} needs --host-root DIR: a ${os} layout can only be scanned from a mounted image or folder on this ${running ?? process.platform} machine.`,
      );
    return { os, root: '/', live: true };
  }
  if (os === 'windows')
    throw usage(
      '--host-root is for Linux and macOS images; Windows is scanned live (run Divest on the Windows machine itself).',
    );
  const root = path.resolve(hostRoot);
  if (!existsSync(root)) throw usage(`--host-root ${hostRoot}: no such folder.`);
  if (!statSync(root).isDirectory()) throw usage(`--host-root ${hostRoot}: not a folder.`);
  return { os, root, live: root === '/' && os === running };
}

/** Scans a machine (or image) against the catalog. */
export async function scanHost(opts: ScanOptions): Promise<ScanResult> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const target = resolveTarget(opts.hostRoot, opts.hostOs);
  const matcher = compileCatalog(opts.catalog.catalog);
  const spawnsBefore = opts.runner.spawnCount;
  const total = Object.keys(SCAN_PROBES).length;
  let done = 0;
  const finished = <T>(probe: keyof typeof SCAN_PROBES, value: T): T => {
    opts.onProgress?.({ done: ++done, total, probe: SCAN_PROBES[probe] });
    return value;
  };
  const tracked = <T>(probe: keyof typeof SCAN_PROBES, p: Promise<T>): Promise<T> =>
    p.then((v) => finished(probe, v));

  const ctx: ProbeContext = {
    hostRoot: target.root,
    live: target.live,
    os: target.os,
    packageInterest: packageInterest(matcher),
  };
  let items: InventoryItem[];
  let notes: ProbeNote[];
  let host: HostIdentity;
  switch (target.os) {
    case 'linux': {
      const [out, id] = await Promise.all([
        tracked('inventory', probeLinux(ctx, opts.runner)),
        tracked('identity', linuxIdentity(ctx)),
      ]);
      ({ items, notes } = out);
      host = id;
      break;
    }
    case 'macos': {
      // Loaded on demand: the plist parsers (XML and binary) are only needed for macOS.
      const { probeMacos } = await import('../host/macos');
      const [out, id] = await Promise.all([
        tracked('inventory', probeMacos(ctx, opts.runner)),
        tracked('identity', macosIdentity(ctx, opts.runner)),
      ]);
      ({ items, notes } = out);
      host = id;
      break;
    }
    case 'windows': {
      const vendorRegistryKeys = [...new Set(opts.catalog.catalog.vendors.flatMap((v) => v.registryKeys))];
      const out = await tracked(
        'inventory',
        probeWindows(opts.runner, { vendorRegistryKeys, env: opts.env }),
      );
      ({ items, notes } = out);
      host = finished('identity', windowsIdentity(out.machineGuid));
      break;
    }
  }

  const paths = await tracked(
    'paths',
    checkPaths(catalogPaths(matcher, target.os), { os: target.os, hostRoot: target.root, env: opts.env }),
  );
  const programs = await programFolders(paths.hits, target);
  const findings = finished('match', matchInventory(matcher, target.os, items, paths.hits, programs));
  notes = [...notes, ...paths.notes];

  return {
    schema: SCAN_SCHEMA,
    host,
    ...(target.live ? {} : { hostRoot: target.root }),
    catalog: {
      version: opts.catalog.catalog.version,
      sha256: opts.catalog.sha256,
      origin: opts.catalog.origin,
    },
    app: { name: 'divest', version: opts.appVersion },
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    spawns: opts.runner.spawnCount - spawnsBefore,
    findings,
    notes,
  };
}

/** Exit code of a scan, per the CLI contract: 10 when banned software is installed, else 0. */
export function scanExitCode(result: ScanResult): 0 | 10 {
  return result.findings.some((f) => f.status === 'banned' && f.presence === 'installed') ? 10 : 0;
}
