/**
 * What every use case works with: the catalog, the data folder and its journal, the runner, and
 * the machine being inspected. The CLI builds one from its flags, the app from its settings; both
 * then call the same use cases (this folder), so the two faces cannot drift apart.
 */
import path from 'node:path';
import type { LoadedCatalog } from '../catalog/load';
import type { HostOs } from '../model/host';
import { NodeCommandRunner, type CommandRunner } from '../host/runner';
import { journalPath, openJournal, type Journal } from '../journal/journal';
import { resolveTarget, type ScanProbeProgress, type Target } from '../scan/scan';

export interface WorkspaceOptions {
  catalog: LoadedCatalog;
  /** Journal, signing key and logs. */
  dataDir: string;
  appVersion: string;
  /** Inspect this folder as `/` (an image or a test bed) instead of the running system. */
  hostRoot?: string;
  /** The OS whose layout `hostRoot` has; defaults to the running OS. */
  hostOs?: HostOs;
  runner?: CommandRunner;
  journal?: Journal;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Told as each part of every scan this workspace makes finishes (progress displays). */
  onScanProgress?: (p: ScanProbeProgress) => void;
}

export interface Workspace {
  readonly catalog: LoadedCatalog;
  readonly dataDir: string;
  readonly appVersion: string;
  readonly hostRoot?: string;
  readonly hostOs?: HostOs;
  readonly runner: CommandRunner;
  readonly journal: Journal;
  readonly env?: NodeJS.ProcessEnv;
  readonly now: () => Date;
  /** Where msiexec's verbose logs go. */
  readonly logDir: string;
  readonly onScanProgress?: (p: ScanProbeProgress) => void;
  /** The machine being inspected (resolved on first use; a bad --host-root is a usage error). */
  target(): Target;
}

/** Opens a workspace; nothing is read or written until a use case runs. */
export function openWorkspace(o: WorkspaceOptions): Workspace {
  let target: Target | undefined;
  return {
    catalog: o.catalog,
    dataDir: o.dataDir,
    appVersion: o.appVersion,
    ...(o.hostRoot !== undefined ? { hostRoot: o.hostRoot } : {}),
    ...(o.hostOs !== undefined ? { hostOs: o.hostOs } : {}),
    runner: o.runner ?? new NodeCommandRunner(),
    journal: o.journal ?? openJournal(journalPath(o.dataDir)),
    ...(o.env ? { env: o.env } : {}),
    now: o.now ?? (() => new Date()),
    logDir: path.join(o.dataDir, 'logs'),
    ...(o.onScanProgress ? { onScanProgress: o.onScanProgress } : {}),
    target: () => (target ??= resolveTarget(o.hostRoot, o.hostOs)),
  };
}
