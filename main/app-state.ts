/**
 * What the app's handlers share (`handlers.ts`, `desktop-handlers.ts`): their dependencies from
 * the host (Electron or the test harness), the runner, the journal, the loaded catalogs, what is
 * running, and the scan's progress. Free of Electron, like the handlers.
 */
import type { EventName, EventPayload, Settings } from '../core/api';
import type { LoadedCatalog } from '../core/catalog/load';
import { loadActiveCatalog } from '../core/catalog/release/active';
import { loadSignedCatalogFile } from '../core/catalog/release/import';
import { DivestError } from '../core/errors';
import type { HostOs } from '../core/model/host';
import { NodeCommandRunner, type CommandRunner } from '../core/host/runner';
import { journalPath, openJournal } from '../core/journal/journal';
import type { PdfPage } from '../core/usecases/receipt';
import type { ScanProbeProgress } from '../core/usecases/scan';
import { openWorkspace, type Workspace } from '../core/usecases/workspace';
import { toApiError } from './errors';
import { ReportingRunner, describeCommand } from './progress-runner';
import type { Remover } from './remover';

/** Where the settings live: electron-store in the app, memory in tests. */
export interface SettingsStore {
  get(): Settings;
  /** Merges a validated patch and returns the whole settings. */
  set(patch: Partial<Settings>): Settings;
}

/** Sends an event to the UI. */
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** What the handlers need from their host (Electron or the test harness). */
export interface HandlerDeps {
  settings: SettingsStore;
  /** Journal, signing key and logs. */
  dataDir: string;
  /** Where receipts go when the settings name no folder. */
  defaultExportFolder: string;
  appVersion: string;
  /** Inspect this folder as `/` instead of the live machine (images, test beds). */
  hostRoot?: string;
  hostOs?: HostOs;
  emit: Emit;
  /** Prints a self-contained HTML page to PDF (Electron `printToPDF`, or Chromium in tests). */
  renderPdf?: (html: string, page: PdfPage) => Promise<Uint8Array>;
  /** How to remove when this process lacks administrator rights (null: no way here). */
  elevatedRemover?: Remover | null;
  /** Remove through `elevatedRemover` even with rights (the e2e build's stand-in prompt only). */
  preferElevated?: boolean;
  /**
   * Test beds only: an image without a shell may run its packages' removal scripts on this
   * machine (the CLI's --run-image-scripts-on-this-machine). Never set by the app.
   */
  allowImageScriptsOnHost?: boolean;
  runner?: CommandRunner;
  /** The system's file or folder chooser (Electron's dialog); null when the user cancels. */
  choosePath?: (kind: 'file' | 'folder', title: string, defaultPath?: string) => Promise<string | null>;
  /** Opens a folder in the system's file manager; resolves to an error message, '' on success. */
  openPath?: (folder: string) => Promise<string>;
  /** After how long without output a running uninstaller is said to be silent (default 1 min). */
  silenceNoteMs?: number;
  /** Puts text on the system clipboard. */
  writeClipboard?: (text: string) => void;
}

/** The state the handlers share: the runner, the journal, the loaded catalogs, what is running. */
export class AppState {
  readonly runner: ReportingRunner;
  readonly journal;
  readonly #catalogs = new Map<string, LoadedCatalog>();
  #busy: string | null = null;
  #scanListener: ((p: ScanProbeProgress) => void) | null = null;
  running: {
    planId: string;
    controller: AbortController;
    stopNow: AbortController;
    elevated: boolean;
  } | null = null;

  constructor(readonly deps: HandlerDeps) {
    this.runner = new ReportingRunner(deps.runner ?? new NodeCommandRunner());
    this.journal = openJournal(journalPath(deps.dataDir));
  }

  /** What runs now ("removing"), or null. */
  get busy(): string | null {
    return this.#busy;
  }

  catalog(file = this.deps.settings.get().catalogPath): LoadedCatalog {
    const cached = this.#catalogs.get(file);
    if (cached) return cached;
    const setup = { dataDir: this.deps.dataDir, appVersion: this.deps.appVersion };
    // A catalog file from the settings must be a signed release; otherwise the data folder's
    // active catalog (the newest accepted release, else the built-in one).
    const loaded = file ? loadSignedCatalogFile(file, setup) : loadActiveCatalog(setup);
    this.#catalogs.set(file, loaded);
    return loaded;
  }

  workspace(): Workspace {
    return openWorkspace({
      catalog: this.catalog(),
      dataDir: this.deps.dataDir,
      appVersion: this.deps.appVersion,
      hostRoot: this.deps.hostRoot,
      hostOs: this.deps.hostOs,
      runner: this.runner,
      journal: this.journal,
      onScanProgress: (p) => this.#scanListener?.(p),
    });
  }

  operator(): { name?: string; organisation?: string } {
    const s = this.deps.settings.get();
    return { name: s.operatorName, organisation: s.organisation };
  }

  async exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new DivestError('busy', `Divest is busy (${this.#busy}); wait for it to finish.`);
    this.#busy = what;
    try {
      return await fn();
    } finally {
      this.#busy = null;
    }
  }

  /** Runs `fn` while telling the UI what the scan is doing: parts done of total, and the tool running. */
  async withScanProgress<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const spawns0 = this.runner.spawnCount;
    let done = 0;
    let total = 4;
    const progress = (phase: EventPayload<'onScanProgress'>['phase'], message: string): void =>
      this.deps.emit('onScanProgress', {
        phase,
        message,
        elapsedMs: Math.round(performance.now() - t0),
        spawns: this.runner.spawnCount - spawns0,
        done,
        total,
      });
    progress('started', 'Starting the scan.');
    this.runner.listener = (argv) => progress('running', `${describeCommand(argv)}…`);
    this.#scanListener = (p) => {
      done = p.done;
      total = p.total;
      progress(p.done === p.total ? 'matching' : 'running', `${p.probe}: done.`);
    };
    try {
      const r = await fn();
      done = total;
      progress('finished', 'Scan finished.');
      return r;
    } catch (e) {
      progress('failed', toApiError(e).message);
      throw e;
    } finally {
      this.runner.listener = null;
      this.#scanListener = null;
    }
  }
}
