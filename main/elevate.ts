/**
 * Removal with administrator rights asked for at the moment they are needed, and only for that.
 *
 * The UI runs as the user who started it (Windows `asInvoker`): an elevated window cannot receive
 * drag and drop, and a prompt at every start trains people to click "yes". When the user starts a
 * removal and the app lacks the rights, it runs the self-contained CLI as the elevated helper
 * (`divest remove --helper`, `helper/command.ts`) through the running system's own prompt:
 * - Linux: `pkexec` (polkit). pkexec keeps stdin and stdout, so the request and the helper's
 *   lines run over them;
 * - Windows: UAC, via PowerShell `Start-Process -Verb RunAs -Wait` (no standard streams): the
 *   helper connects to a named pipe the app serves and proves itself with a one-time token;
 * - macOS: the authorization dialog, via `osascript` `do shell script … with administrator
 *   privileges` (output only at the end): the same over a Unix socket in a private 0700 folder.
 * The helper gets the plan id on its command line and, over the channel, only the manual steps
 * done, an uninstall password and "cancel" (`helper/protocol.ts`); it takes its data folder and
 * catalog from the machine's defaults and writes nothing the user can name. The method follows the
 * running OS (`process.platform`), never `--host-os`; removal from an image (`--host-root`) never
 * goes through the prompt.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RemovalMode, RemovalSummary } from '../core/api';
import { DivestError, type ErrorCode } from '../core/errors';
import type { CommandRunner } from '../core/host/runner';
import { powerShellArgv, windowsTools } from '../core/host/windows';
import { isEventType, type EventInput } from '../core/model/events';
import type { HostOs } from '../core/model/host';
import type { Workspace } from '../core/usecases/workspace';
import {
  HelperLine,
  encodeLine,
  helperArgv,
  lineReader,
  type AppLine,
  type HelperArgs,
} from '../core/helper/protocol';
import type { RemoveJob, Remover } from './remover';

/** Quotes a string as a PowerShell single-quoted literal. */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Quotes a string as an AppleScript string literal. */
export function appleScriptQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * One argument quoted by the rules Windows programs split their command line with (the MSVC
 * runtime's, and CommandLineToArgvW's): quotes around anything with a space, tab or quote (or
 * empty); a quote becomes `\"`; backslashes are doubled only before a quote or the closing quote.
 */
export function windowsQuoteArg(arg: string): string {
  if (arg !== '' && !/[ \t\n\v"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    out += ch === '"' ? `${'\\'.repeat(slashes * 2 + 1)}"` : `${'\\'.repeat(slashes)}${ch}`;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The arguments (not the program) as one Windows command-line string. */
export function windowsCommandLine(args: readonly string[]): string {
  return args.map(windowsQuoteArg).join(' ');
}

/** Where pkexec is, if anywhere. */
export function findPkexec(exists: (p: string) => boolean = existsSync): string | null {
  return ['/usr/bin/pkexec', '/bin/pkexec'].find((p) => exists(p)) ?? null;
}

/**
 * The argv that runs `command` (an argv) with administrator rights through the running OS's
 * prompt, or null where there is none (Linux without pkexec).
 *
 * Windows: `Start-Process -ArgumentList` joins an array with spaces and quotes nothing, so the
 * arguments are passed as ONE string already quoted by {@link windowsCommandLine}.
 */
export function elevatedArgv(
  platform: NodeJS.Platform,
  command: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): string[] | null {
  const [file, ...args] = command;
  if (!file) throw new Error('elevatedArgv: empty command');
  if (platform === 'win32') {
    const list = args.length ? ` -ArgumentList ${psQuote(windowsCommandLine(args))}` : '';
    const script = [
      "$ErrorActionPreference = 'Stop'",
      `$p = Start-Process -FilePath ${psQuote(file)}${list} -Verb RunAs -Wait -PassThru -WindowStyle Hidden`,
      'exit $p.ExitCode',
    ].join('\n');
    return powerShellArgv(windowsTools(env).powershell, script);
  }
  if (platform === 'darwin') {
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
  const pkexec = findPkexec(exists);
  return pkexec ? [pkexec, ...command] : null;
}

/** The CLI advice for removing as root or Administrator, per OS. */
export function cliAdvice(platform: NodeJS.Platform): string {
  if (platform === 'win32')
    return 'run "divest remove --yes" in a command prompt opened with "Run as administrator" (the installer puts divest on the PATH)';
  if (platform === 'darwin')
    return 'run "sudo divest remove --yes" in Terminal (link the CLI first: sudo ln -sf /Applications/Divest.app/Contents/Resources/bin/divest /usr/local/bin/divest)';
  return 'run "sudo divest remove --yes" in a terminal (the .deb and .rpm packages install divest in /usr/bin)';
}

/** What the removal explanation depends on besides the OS and the rights. */
export interface ElevationContext {
  platform: NodeJS.Platform;
  /** Started from an AppImage (`$APPIMAGE` set): root cannot reach the app's FUSE mount. */
  appImage: boolean;
  /** Whether the helper program exists. */
  helperPresent: boolean;
  exists: (p: string) => boolean;
}

function defaultContext(): ElevationContext {
  return {
    platform: process.platform,
    appImage: Boolean(process.env.APPIMAGE),
    helperPresent: true,
    exists: existsSync,
  };
}

/**
 * How removal gets its rights on this machine, for the UI. `_os` is the inspected OS (the app's
 * handlers pass it); the prompt is the running OS's.
 */
export function removalMode(
  _os: HostOs,
  admin: boolean | 'unknown',
  ctx: ElevationContext = defaultContext(),
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
  const unavailable = (why: string): RemovalMode => ({
    mode: 'unavailable',
    method: 'none',
    explanation: `${why} You can still scan, read the directives, plan and export a receipt. To remove, ${cliAdvice(ctx.platform)}.`,
  });
  if (ctx.appImage && ctx.platform === 'linux')
    return unavailable(
      'Removal from the AppImage is not supported: the administrator (root) cannot run programs inside an AppImage, which only its user can read. Install Divest from the .deb or .rpm package to remove from the app.',
    );
  if (!ctx.helperPresent)
    return unavailable(
      'This copy of Divest lacks its command-line helper (resources/bin/divest), which removal runs as administrator.',
    );
  if (ctx.platform === 'win32')
    return {
      mode: 'elevated',
      method: 'uac',
      explanation:
        'Windows will ask for administrator rights (a User Account Control prompt) when you start the removal, and only for the removal.',
    };
  if (ctx.platform === 'darwin')
    return {
      mode: 'elevated',
      method: 'osascript',
      explanation: 'macOS will ask for an administrator name and password when you start the removal.',
    };
  if (findPkexec(ctx.exists))
    return {
      mode: 'elevated',
      method: 'pkexec',
      explanation: 'Linux will ask for an administrator password (polkit) when you start the removal.',
    };
  return unavailable(
    'Removal needs administrator (root) rights and there is no pkexec on this machine to ask for them.',
  );
}

/** The explanation when the inspected machine is an image (`--host-root`) and rights are lacking. */
export function imageRemovalMode(platform: NodeJS.Platform): RemovalMode {
  return {
    mode: 'unavailable',
    method: 'none',
    explanation: `Removal from an image (--host-root) never goes through the administrator prompt. Start Divest as a user who may write the image, or ${cliAdvice(platform).replace('divest remove --yes', 'divest remove --yes --host-root DIR')}.`,
  };
}

/** Options of {@link ElevatedRemover}. */
export interface ElevatedRemoverOptions {
  /** The running OS: it decides the prompt. */
  platform: NodeJS.Platform;
  /** The helper program's argv prefix: the bundled CLI, or `node out/cli/divest.cjs` in development. */
  helper: readonly string[];
  /** Runs the Windows and macOS prompts (they return when the helper ends). */
  runner: CommandRunner;
  /** How the helper's command is elevated (default: {@link elevatedArgv}); tests run it directly. */
  elevate?: (command: readonly string[]) => string[] | null;
  /** Let a workspace with `--host-root` through (test beds with a stand-in prompt only). */
  allowImages?: boolean;
  /** Where the private socket folder is made (default: the OS's temp folder). */
  tmpDir?: string;
  /** Force the socket channel on Linux too (tests of the Windows/macOS protocol). */
  channel?: 'stdio' | 'socket';
}

/** What the app learnt from the helper. */
interface Outcome {
  summary?: RemovalSummary;
  failure?: { code: string; message: string };
  /** Journal events that the app's own journal refused (reported, never fatal). */
  refusedEvents: number;
}

/** Handles the helper's lines: progress to the UI, journal events into the app's journal. */
function relay(
  job: RemoveJob,
  ws: Workspace,
): { onLine: (l: HelperLine) => void; settle: () => Promise<Outcome> } {
  const outcome: Outcome = { refusedEvents: 0 };
  let queue = Promise.resolve();
  return {
    onLine(l) {
      switch (l.kind) {
        case 'progress':
          job.onProgress(l.event);
          break;
        case 'journal': {
          const { type, data } = l;
          if (!isEventType(type)) {
            outcome.refusedEvents++;
            break;
          }
          queue = queue.then(() =>
            ws.journal.append(type, data as EventInput<typeof type>).then(
              () => undefined,
              () => {
                outcome.refusedEvents++;
              },
            ),
          );
          break;
        }
        case 'summary':
          outcome.summary = l.summary;
          break;
        case 'error':
          outcome.failure = { code: l.code, message: l.message };
          break;
        case 'hello':
          break;
      }
    },
    settle: async () => {
      await queue;
      return outcome;
    },
  };
}

const FAILURE_CODES: Record<string, ErrorCode> = {
  'plan-changed': 'plan-changed',
  'invalid-request': 'invalid-request',
  'untrusted-data-dir': 'io',
  io: 'io',
  internal: 'internal',
};

/** The error for a helper that ended without a summary. */
function failureOf(platform: NodeJS.Platform, o: Outcome, exit: number | null, detail: string): DivestError {
  if (o.failure) return new DivestError(FAILURE_CODES[o.failure.code] ?? 'internal', o.failure.message);
  if (platform === 'linux' && exit === 126)
    return new DivestError(
      'elevation-failed',
      'The administrator prompt was dismissed. Nothing was removed.',
    );
  if (platform === 'linux' && exit === 127)
    return new DivestError(
      'elevation-failed',
      'Administrator rights were not granted (polkit refused or failed). Nothing was removed.',
    );
  const tail = detail.trim().split('\n').slice(-2).join(' ').slice(0, 300);
  return new DivestError(
    'elevation-failed',
    `Administrator rights were not granted, or the helper stopped (exit ${String(exit)})${tail ? `: ${tail}` : ''}. Nothing was removed unless the progress says otherwise.`,
  );
}

/** How long the prompt and helper may take: every step's time-out and half an hour to answer. */
function helperTimeout(job: RemoveJob): number {
  return job.plan.steps.reduce((t, s) => t + s.timeoutMs, 0) + 30 * 60_000;
}

/** Runs removals in the elevated helper and relays its progress and journal. */
export class ElevatedRemover implements Remover {
  readonly kind = 'elevated' as const;

  constructor(private readonly opts: ElevatedRemoverOptions) {}

  async run(job: RemoveJob, ws: Workspace): Promise<RemovalSummary> {
    if (ws.hostRoot && !this.opts.allowImages)
      throw new DivestError('no-admin', imageRemovalMode(this.opts.platform).explanation);
    const request: AppLine = {
      kind: 'request',
      manualDone: [...job.manualDone],
      ...(job.credentials ? { credentials: job.credentials } : {}),
    };
    const r = relay(job, ws);
    const channel = this.opts.channel ?? (this.opts.platform === 'linux' ? 'stdio' : 'socket');
    job.onProgress({
      type: 'phase',
      phase: 'elevating',
      message: 'Asking for administrator rights: answer the system prompt to continue.',
    });
    const { exit, detail } =
      channel === 'stdio'
        ? await this.#overStdio(job, request, r.onLine)
        : await this.#overSocket(job, request, r.onLine);
    const outcome = await r.settle();
    if (outcome.summary) return outcome.summary;
    throw failureOf(this.opts.platform, outcome, exit, detail);
  }

  #elevated(args: HelperArgs): string[] {
    const command = [...this.opts.helper, ...helperArgv(args)];
    const argv = this.opts.elevate ? this.opts.elevate(command) : elevatedArgv(this.opts.platform, command);
    if (!argv)
      throw new DivestError(
        'no-admin',
        `Removal needs administrator rights and this machine has no way to ask for them: ${cliAdvice(this.opts.platform)}.`,
      );
    return argv;
  }

  /**
   * Linux: pkexec keeps stdio. The request is the helper's standard input (then closed), its
   * lines come back on standard output as they are written; "cancel" is a file appearing in a
   * private 0700 folder of the app's, which the helper only looks for.
   */
  async #overStdio(
    job: RemoveJob,
    request: AppLine,
    onLine: (l: HelperLine) => void,
  ): Promise<{ exit: number | null; detail: string }> {
    const folder = mkdtempSync(path.join(this.opts.tmpDir ?? os.tmpdir(), 'divest-helper-'));
    const cancelFile = path.join(folder, 'cancel');
    const onAbort = (): void => writeFileSync(cancelFile, '', { mode: 0o600 });
    job.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const argv = this.#elevated({ channel: 'stdio', planId: job.plan.id, cancelFile });
      const read = lineReader(HelperLine, onLine, () => undefined);
      const r = await this.opts.runner.run(argv, {
        input: encodeLine(request),
        timeoutMs: helperTimeout(job),
        onOutput: (stream, text) => {
          if (stream === 'stdout') read(text);
        },
      });
      return {
        exit: r.exitCode,
        detail: r.spawnError ? `could not start ${argv[0] ?? ''}: ${r.spawnError.message}` : r.stderr,
      };
    } finally {
      job.signal.removeEventListener('abort', onAbort);
      rmSync(folder, { recursive: true, force: true });
    }
  }

  /**
   * Windows and macOS: the app serves one pipe or socket; the first client that presents the
   * token gets the request; every other connection is dropped, and the server closes then.
   */
  async #overSocket(
    job: RemoveJob,
    request: AppLine,
    onLine: (l: HelperLine) => void,
  ): Promise<{ exit: number | null; detail: string }> {
    const token = randomBytes(32).toString('hex');
    let where: string;
    let folder: string | undefined;
    if (this.opts.platform === 'win32') where = `\\\\.\\pipe\\divest-${randomBytes(16).toString('hex')}`;
    else {
      folder = mkdtempSync(path.join(this.opts.tmpDir ?? os.tmpdir(), 'divest-helper-'));
      where = path.join(folder, 'helper.sock');
    }
    let peer: net.Socket | null = null;
    const server = net.createServer((sock) => {
      if (peer) {
        sock.destroy();
        return;
      }
      const expected = Buffer.from(token);
      const first = lineReader(
        HelperLine,
        (l) => {
          if (peer === sock) return onLine(l);
          const ok =
            !peer &&
            l.kind === 'hello' &&
            l.token.length === token.length &&
            timingSafeEqual(Buffer.from(l.token), expected);
          if (!ok) {
            sock.destroy();
            return;
          }
          peer = sock;
          server.close();
          sock.write(encodeLine(request));
        },
        () => {
          if (peer !== sock) sock.destroy();
        },
      );
      sock.on('data', first);
      sock.on('error', () => undefined);
    });
    const onAbort = (): void => {
      peer?.write(encodeLine({ kind: 'cancel' }));
    };
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(where, () => resolve());
      });
      job.signal.addEventListener('abort', onAbort, { once: true });
      const argv = this.#elevated({ channel: 'socket', planId: job.plan.id, socket: where, token });
      const r = await this.opts.runner.run(argv, { timeoutMs: helperTimeout(job) });
      // The helper has ended; let its last lines arrive.
      await new Promise<void>((resolve) => {
        const s = peer as net.Socket | null;
        if (!s || s.destroyed || s.readableEnded) resolve();
        else {
          s.once('close', () => resolve());
          setTimeout(resolve, 5_000).unref();
        }
      });
      return {
        exit: r.exitCode,
        detail: r.spawnError
          ? `could not start the prompt: ${r.spawnError.message}`
          : `${r.stderr}\n${r.stdout}`,
      };
    } finally {
      job.signal.removeEventListener('abort', onAbort);
      server.close();
      (peer as net.Socket | null)?.destroy();
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  }
}
