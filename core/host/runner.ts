/**
 * The one place where Divest starts OS processes.
 *
 * Every command is an argv array handed straight to the OS (`shell: false`): nothing read off the
 * machine can ever be interpreted by a shell. The runner counts the processes it starts, because on
 * a real Windows machine with antivirus hooks each spawn costs 50-100 ms, and it enforces a time-out
 * so that a hung uninstaller is stopped and reported instead of hanging the app.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { redact, redactBytes, StreamRedactor } from './redact';

export { redact } from './redact';

export interface RunOptions {
  /** Stop the process (and report `timedOut`) after this many milliseconds. */
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment variables, merged over the current environment. */
  env?: Record<string, string>;
  /** Written to the process's standard input, which is then closed. */
  input?: string;
  /**
   * Strings that must never appear in what the runner returns or records (passwords given to an
   * uninstaller). They are replaced by `***` in argv, stdout and stderr.
   */
  secrets?: readonly string[];
  /** Cap on captured output per stream; the rest is counted but dropped. */
  maxOutputBytes?: number;
  /** Live output as it comes, for progress displays (secrets redacted, also across chunks). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /**
   * A deliberate stop by the operator: when it aborts, the whole process group is killed at once
   * (as a time-out does) and the result says `stopped`.
   */
  stop?: AbortSignal;
}

export interface RunResult {
  argv: readonly string[];
  /** Exit code, or null when the process was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The operator stopped it (RunOptions.stop): killed with its process group. */
  stopped?: boolean;
  /** Set when the process could not be started at all (e.g. ENOENT: the tool is not installed). */
  spawnError?: { code: string; message: string };
  durationMs: number;
  /** SHA-256 of stdout and stderr as captured (after secret redaction), for the journal. */
  outputSha256: string;
}

/** Whatever runs commands: the real runner, or a recording one in tests. */
export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** How many processes this runner has started (or tried to start). */
  readonly spawnCount: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT = 32 * 1024 * 1024;

/** Runs real processes with `shell: false`, a time-out and output capture. */
export class NodeCommandRunner implements CommandRunner {
  #spawnCount = 0;

  get spawnCount(): number {
    return this.#spawnCount;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (argv.length === 0 || !argv[0]) throw new Error('CommandRunner.run: empty argv');
    const [file, ...args] = argv as [string, ...string[]];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const started = process.hrtime.bigint();
    this.#spawnCount += 1;

    return new Promise((resolve) => {
      let child: ChildProcessWithoutNullStreams;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let timedOut = false;
      let stopped = false;
      let settled = false;
      let spawnError: RunResult['spawnError'];
      const liveOut = new StreamRedactor(options.secrets);
      const liveErr = new StreamRedactor(options.secrets);

      try {
        child = spawn(file, args, {
          shell: false,
          windowsHide: true,
          cwd: options.cwd,
          env: options.env ? { ...process.env, ...options.env } : process.env,
          stdio: ['pipe', 'pipe', 'pipe'],
          // Own process group on POSIX so that a time-out stops the whole tree (uninstallers fork).
          detached: process.platform !== 'win32',
        });
      } catch (e) {
        // Windows can refuse some spawns synchronously (spawn UNKNOWN): a result, not a crash.
        resolve({
          argv: argv.map((a) => redact(a, options.secrets)),
          exitCode: null,
          signal: null,
          stdout: '',
          stderr: '',
          timedOut: false,
          spawnError: { code: (e as NodeJS.ErrnoException).code ?? 'ESPAWN', message: (e as Error).message },
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          outputSha256: createHash('sha256').update('\0').digest('hex'),
        });
        return;
      }

      const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.stop?.removeEventListener('abort', onStop);
        for (const [stream, r] of [
          ['stdout', liveOut],
          ['stderr', liveErr],
        ] as const) {
          const rest = r.end();
          if (rest) options.onOutput?.(stream, rest);
        }
        const stdout = redactBytes(Buffer.concat(out), options.secrets).toString('utf8');
        const stderr = redactBytes(Buffer.concat(err), options.secrets).toString('utf8');
        const digest = createHash('sha256').update(stdout).update('\0').update(stderr).digest('hex');
        resolve({
          argv: argv.map((a) => redact(a, options.secrets)),
          exitCode,
          signal,
          stdout,
          stderr,
          timedOut,
          ...(stopped ? { stopped } : {}),
          ...(spawnError ? { spawnError } : {}),
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          outputSha256: digest,
        });
      };

      const killGroup = (): void => {
        try {
          if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const kill = (): void => {
        timedOut = true;
        killGroup();
      };
      const onStop = (): void => {
        if (settled) return;
        stopped = true;
        killGroup();
      };
      const timer = setTimeout(kill, timeoutMs);
      if (options.stop?.aborted) onStop();
      else options.stop?.addEventListener('abort', onStop, { once: true });

      child.stdout.on('data', (b: Buffer) => {
        if (outLen < maxBytes) out.push(b);
        outLen += b.length;
        const text = liveOut.push(b);
        if (text) options.onOutput?.('stdout', text);
      });
      child.stderr.on('data', (b: Buffer) => {
        if (errLen < maxBytes) err.push(b);
        errLen += b.length;
        const text = liveErr.push(b);
        if (text) options.onOutput?.('stderr', text);
      });
      child.on('error', (e: NodeJS.ErrnoException) => {
        spawnError = { code: e.code ?? 'ESPAWN', message: e.message };
        // 'close' may never come for a process that never started.
        setImmediate(() => finish(null, null));
      });
      child.on('close', (code, signal) => finish(code, signal));
      child.stdin.on('error', () => undefined);
      if (options.input !== undefined) child.stdin.end(options.input);
      else child.stdin.end();
    });
  }
}

/** True when the result means "this tool is not on this machine". */
export function isMissingTool(r: RunResult): boolean {
  return r.spawnError?.code === 'ENOENT';
}
