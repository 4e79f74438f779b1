/**
 * Removal with administrator rights asked for at the moment they are needed, and only for that.
 *
 * The UI runs as the user who started it (Windows `asInvoker`): an elevated window cannot receive
 * drag and drop, and a prompt at every start trains people to click "yes". When the user starts a
 * removal and the app lacks the rights, the app starts itself again through the system's own
 * prompt, as a helper that does the removal and nothing else (`remove-worker.ts`):
 * - Linux: `pkexec` (polkit asks for an administrator's password);
 * - Windows: UAC, via PowerShell `Start-Process -Verb RunAs -Wait`;
 * - macOS: the authorization dialog, via `osascript` `do shell script … with administrator privileges`.
 * The helper is the app's own executable (not a Node binary: the release build turns the RunAsNode
 * fuse off, so Electron cannot be used as Node, and no Node is bundled). Every command is an argv
 * array for the runner; the only values placed inside the Windows and macOS command texts are the
 * app's own executable path and the request file's path, quoted for that language.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RemovalMode, RemovalSummary } from '../core/api';
import type { HostOs } from '../core/model/host';
import type { CommandRunner } from '../core/host/runner';
import type { Workspace } from '../core/usecases/workspace';
import { DivestError } from '../core/errors';
import type { RemoveJob, Remover } from './remover';
import { WORKER_FLAG, WorkerLine, type WorkerRequest } from './remove-worker';
import { powerShellArgv, windowsTools } from '../core/host/windows';

/** Quotes a string as a PowerShell single-quoted literal. */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Quotes a string as an AppleScript string literal. */
export function appleScriptQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The argv that runs `command` (an argv) with administrator rights through the OS's prompt.
 *
 * Returns null where no prompt is available (Linux without pkexec).
 */
export function elevatedArgv(
  osName: HostOs,
  command: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): string[] | null {
  const [file, ...args] = command;
  if (!file) throw new Error('elevatedArgv: empty command');
  switch (osName) {
    case 'linux': {
      const pkexec = ['/usr/bin/pkexec', '/bin/pkexec'].find((p) => exists(p));
      return pkexec ? [pkexec, ...command] : null;
    }
    case 'windows': {
      const list = args.map(psQuote).join(',');
      const script = [
        "$ErrorActionPreference = 'Stop'",
        `$p = Start-Process -FilePath ${psQuote(file)} -ArgumentList @(${list}) -Verb RunAs -Wait -PassThru -WindowStyle Hidden`,
        'exit $p.ExitCode',
      ].join('\n');
      return powerShellArgv(windowsTools(env).powershell, script);
    }
    case 'macos': {
      // `quoted form of` makes each argument safe for the shell that `do shell script` uses.
      const parts = command.map((_, i) => `quoted form of item ${i + 1} of argv`).join(' & " " & ');
      return [
        '/usr/bin/osascript',
        '-e',
        'on run argv',
        '-e',
        `do shell script (${parts}) with administrator privileges`,
        '-e',
        'end run',
        ...command,
      ];
    }
  }
}

/** How removal gets its rights on this machine, for the UI. */
export function removalMode(
  osName: HostOs,
  admin: boolean | 'unknown',
  exists: (p: string) => boolean = existsSync,
): RemovalMode {
  if (admin !== false)
    return {
      mode: 'direct',
      method: 'none',
      explanation:
        admin === true
          ? 'Divest has administrator rights: it can remove software directly.'
          : 'Divest could not confirm administrator rights; the uninstallers will say if they lack them.',
    };
  if (osName === 'windows')
    return {
      mode: 'elevated',
      method: 'uac',
      explanation:
        'Windows will ask for administrator rights (a User Account Control prompt) when you start the removal, and only for the removal.',
    };
  if (osName === 'macos')
    return {
      mode: 'elevated',
      method: 'osascript',
      explanation: 'macOS will ask for an administrator name and password when you start the removal.',
    };
  if (elevatedArgv('linux', ['x'], {}, exists))
    return {
      mode: 'elevated',
      method: 'pkexec',
      explanation: 'Linux will ask for an administrator password (polkit) when you start the removal.',
    };
  return {
    mode: 'unavailable',
    method: 'none',
    explanation:
      'Removal needs administrator (root) rights and there is no pkexec on this machine to ask for them. You can still scan, read the directives, plan and export a receipt; to remove, start Divest as root (sudo) or use "sudo divest remove --yes".',
  };
}

/** Options of {@link ElevatedRemover}. */
export interface ElevatedRemoverOptions {
  os: HostOs;
  /** The argv that starts this app (the executable, and the app folder in development). */
  selfArgv: readonly string[];
  runner: CommandRunner;
  dataDir: string;
  /** The catalog file the settings name now (empty or undefined: the built-in one). */
  catalogPath?: () => string | undefined;
  appVersion: string;
  /** Extra switches for the helper (Linux: `--no-sandbox`, since Chromium refuses root otherwise). */
  helperSwitches?: readonly string[];
  pollMs?: number;
  /** How the helper's command is elevated (default: {@link elevatedArgv}); tests run it directly. */
  elevate?: (command: readonly string[]) => string[] | null;
}

/** Runs removals in an elevated helper process and relays its progress. */
export class ElevatedRemover implements Remover {
  readonly kind = 'elevated' as const;

  constructor(private readonly opts: ElevatedRemoverOptions) {}

  async run(job: RemoveJob, ws: Workspace): Promise<RemovalSummary> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'divest-elevate-'));
    const requestFile = path.join(dir, 'request.json');
    const progressFile = path.join(dir, 'progress.jsonl');
    const cancelFile = path.join(dir, 'cancel');
    const request: WorkerRequest = {
      dataDir: this.opts.dataDir,
      ...(ws.hostRoot ? { hostRoot: ws.hostRoot } : {}),
      ...(ws.hostOs ? { hostOs: ws.hostOs } : {}),
      ...(this.opts.catalogPath?.() ? { catalogPath: this.opts.catalogPath() } : {}),
      appVersion: this.opts.appVersion,
      planId: job.plan.id,
      ...(job.credentials ? { credentials: job.credentials } : {}),
      manualDone: [...job.manualDone],
      progressFile,
      cancelFile,
    };
    writeFileSync(requestFile, JSON.stringify(request), { mode: 0o600 });
    const command = [...this.opts.selfArgv, ...(this.opts.helperSwitches ?? []), WORKER_FLAG, requestFile];
    const argv = this.opts.elevate ? this.opts.elevate(command) : elevatedArgv(this.opts.os, command);
    if (!argv) {
      rmSync(dir, { recursive: true, force: true });
      throw new DivestError(
        'no-admin',
        'Removal needs administrator rights and this machine has no way to ask for them.',
      );
    }
    job.onProgress({
      type: 'phase',
      phase: 'elevating',
      message: 'Asking for administrator rights: answer the system prompt to continue.',
    });
    let read = 0;
    let summary: RemovalSummary | undefined;
    let failure: { code: string; message: string } | undefined;
    const drain = (): void => {
      if (!existsSync(progressFile)) return;
      const text = readFileSync(progressFile, 'utf8');
      const complete = text.lastIndexOf('\n') + 1;
      for (const raw of text.slice(read, complete).split('\n')) {
        if (!raw) continue;
        const line = WorkerLine.safeParse(JSON.parse(raw));
        if (!line.success) continue;
        if (line.data.kind === 'progress') job.onProgress(line.data.event);
        else if (line.data.kind === 'summary') summary = line.data.summary;
        else failure = { code: line.data.code, message: line.data.message };
      }
      read = complete;
    };
    const onAbort = (): void => writeFileSync(cancelFile, 'cancel\n');
    job.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setInterval(drain, this.opts.pollMs ?? 250);
    try {
      const total = job.plan.steps.reduce((t, s) => t + s.timeoutMs, 0) + 15 * 60_000;
      const r = await this.opts.runner.run(argv, { timeoutMs: total });
      drain();
      if (summary) return summary;
      if (failure)
        throw new DivestError(failure.code === 'plan-changed' ? 'plan-changed' : 'internal', failure.message);
      throw new DivestError(
        'elevation-failed',
        r.spawnError
          ? `The administrator prompt could not be started (${r.spawnError.message}).`
          : `Administrator rights were not granted, or the helper stopped (exit ${String(r.exitCode)}). Nothing was removed.`,
      );
    } finally {
      clearInterval(timer);
      job.signal.removeEventListener('abort', onAbort);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
