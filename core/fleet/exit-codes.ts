/**
 * `divest remove --exit-codes msi`: the removal's result as Windows Installer return codes, which
 * Configuration Manager and Intune Win32 apps understand without configuration (research NOTES §5:
 * ConfigMgr's defaults for an MSI/Script Installer are 0 success, 3010 soft reboot, 1641 hard
 * reboot, 1618 fast retry; any other code is a failure).
 *
 * - 0: removed and verified, or nothing to remove; also removed but UNPROTECTED (Divest's 40): the
 *   removal itself is done and retrying it would change nothing; the missing replacement is what
 *   the detection and compliance scripts report (status `unprotected`);
 * - 3010: a restart is needed to finish (Divest never restarts a machine, so never 1641);
 * - 1618: an uninstaller stayed busy (another installation running) past Divest's retries,
 *   so ConfigMgr retries later;
 * - 1603: anything else that failed (a password-protected product, missing rights, a bad command line).
 */
import type { StepResult } from '../model/execution';

export const MSI_EXIT = { success: 0, softReboot: 3010, fastRetry: 1618, failure: 1603 } as const;
export type MsiExitCode = (typeof MSI_EXIT)[keyof typeof MSI_EXIT];

/** What the mapping needs from a finished removal (when it ran). */
export interface RemovalSummary {
  results: readonly Pick<StepResult, 'outcome' | 'exitCode'>[];
}

/** The Windows Installer code for `divest remove`'s own exit code (0, 20, 30, 40, 2...). */
export function msiExitCode(divestCode: number, removal?: RemovalSummary): MsiExitCode {
  if (divestCode === 0 || divestCode === 40) return MSI_EXIT.success;
  if (divestCode === 20) return MSI_EXIT.softReboot;
  const busy = removal?.results.some((r) => r.outcome === 'failed' && r.exitCode === 1618) ?? false;
  return busy ? MSI_EXIT.fastRetry : MSI_EXIT.failure;
}

/** The `--exit-codes` values. */
export const EXIT_CODE_STYLES = ['divest', 'msi'] as const;
export type ExitCodeStyle = (typeof EXIT_CODE_STYLES)[number];

/** Takes `--exit-codes STYLE` (or `--exit-codes=STYLE`) out of argv. */
export function takeExitCodesFlag(argv: readonly string[]): {
  argv: string[];
  style: ExitCodeStyle | string;
} {
  const rest: string[] = [];
  let style: string = 'divest';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--exit-codes') {
      style = argv[i + 1] ?? '';
      i++;
    } else if (a.startsWith('--exit-codes=')) style = a.slice('--exit-codes='.length);
    else rest.push(a);
  }
  return { argv: rest, style };
}

/** A command that may report the removal it ran (so that a busy uninstaller maps to 1618). */
export type RemoveRun = (
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  report?: (removal: RemovalSummary) => void,
) => Promise<number>;

/**
 * Wraps `divest remove` with `--exit-codes divest|msi`. A usage error with `msi` still exits
 * 1603 (ConfigMgr shows a failure), after the usual message.
 */
export function withExitCodesFlag(run: RemoveRun, usage: (message: string) => Error): RemoveRun {
  return async (argv, out, err) => {
    const { argv: rest, style } = takeExitCodesFlag(argv);
    if (!(EXIT_CODE_STYLES as readonly string[]).includes(style))
      throw usage(`remove: --exit-codes takes divest or msi (got "${style}")`);
    if (style === 'divest') return run(rest, out, err);
    let removal: RemovalSummary | undefined;
    let code: number;
    try {
      code = await run(rest, out, err, (r) => (removal = r));
    } catch (e) {
      err.write(`divest: ${e instanceof Error ? e.message : String(e)}\n`);
      code = 1;
    }
    return msiExitCode(code, removal);
  };
}
