/**
 * What an uninstaller's exit code means, per tool.
 *
 * msiexec codes from Microsoft's "MsiExec.exe and InstMsi.exe error messages" (research [S16]);
 * dpkg(1) and rpm(8) exit statuses; vendor EXE uninstallers follow the msiexec conventions for
 * reboots (3010/1641) and otherwise only 0 means success.
 */
import type { RunResult } from '../host/runner';
import type { StepOutcome } from '../model/execution';

export interface Classification {
  outcome: StepOutcome;
  /** One sentence for the user: what happened and, on failure, what to try. */
  message: string;
  /** Worth retrying after a wait (another installation was running). */
  retry?: boolean;
  /** The product may be password-protected: ask for credentials and retry. */
  maybeNeedsCredentials?: boolean;
}

export type Tool = 'msiexec' | 'exe' | 'dpkg' | 'rpm' | 'script';

const MSI: Record<number, Classification> = {
  0: { outcome: 'removed', message: 'msiexec finished successfully (0).' },
  1605: {
    outcome: 'already-absent',
    message: 'msiexec: this product is not installed (1605): it was already removed.',
  },
  1614: { outcome: 'already-absent', message: 'msiexec: the product is uninstalled (1614).' },
  1641: { outcome: 'reboot-required', message: 'msiexec removed the product and started a restart (1641).' },
  3010: {
    outcome: 'reboot-required',
    message: 'msiexec removed the product; a restart is required to finish (3010).',
  },
  1618: {
    outcome: 'failed',
    retry: true,
    message: 'Another installation is already in progress (1618); Divest waits and retries.',
  },
  1602: { outcome: 'failed', message: 'The uninstallation was cancelled (1602).' },
  1603: {
    outcome: 'failed',
    maybeNeedsCredentials: true,
    message:
      'msiexec reported a fatal error (1603). For Kaspersky this is most often a missing or wrong uninstall password, or self-defence blocking the removal: see the step log, then retry with the password or use the guided removal tool.',
  },
  1627: {
    outcome: 'failed',
    maybeNeedsCredentials: true,
    message:
      "msiexec reported that a function failed during the uninstallation (1627), typically the product's own check refusing the removal (a password or self-defence): see the step log, then retry with the password or use the guided removal tool.",
  },
  1612: { outcome: 'failed', message: 'The installation source for this product is not available (1612).' },
  1620: { outcome: 'failed', message: 'The installation package could not be opened (1620).' },
  1639: { outcome: 'failed', message: 'msiexec rejected the command line (1639).' },
  1625: { outcome: 'failed', message: 'System policy prohibits this uninstallation (1625).' },
  1730: { outcome: 'failed', message: 'You must be an administrator to remove this product (1730).' },
};

/** Classifies a finished (or timed-out, or unstartable) process. */
export function classifyExit(tool: Tool, r: RunResult): Classification {
  if (r.timedOut)
    return {
      outcome: 'timed-out',
      message: `The uninstaller did not finish in time and was stopped after ${Math.round(r.durationMs / 1000)} s.`,
    };
  if (r.spawnError)
    return {
      outcome: 'failed',
      message: `The uninstaller could not be started (${r.spawnError.code}: ${r.spawnError.message}).`,
    };
  const code = r.exitCode;
  if (code === null)
    return { outcome: 'failed', message: `The uninstaller was killed by ${r.signal ?? 'a signal'}.` };
  const tail = (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300);
  switch (tool) {
    case 'msiexec':
      return MSI[code] ?? { outcome: 'failed', message: `msiexec failed with exit code ${code}.` };
    case 'exe':
      if (code === 0)
        return { outcome: 'removed', message: 'The vendor uninstaller finished successfully (0).' };
      if (code === 3010 || code === 1641)
        return {
          outcome: 'reboot-required',
          message: `The vendor uninstaller finished; a restart is required (${code}).`,
        };
      return { outcome: 'failed', message: `The vendor uninstaller failed with exit code ${code}.` };
    case 'dpkg':
      if (code === 0) return { outcome: 'removed', message: 'dpkg removed the packages (0).' };
      if (
        code === 2 &&
        /lock(ed)? (was locked )?by another process|database is locked|frontend lock|unable to acquire the dpkg/i.test(
          `${r.stderr}${r.stdout}`,
        )
      )
        return {
          outcome: 'failed',
          retry: true,
          message:
            "dpkg's database is locked by another process (another package operation, or an interrupted one still finishing); Divest waits and retries.",
        };
      return {
        outcome: 'failed',
        message: `dpkg failed with exit code ${code}${tail ? `: ${tail}` : ''}. A removal script of the package may have failed.`,
      };
    case 'rpm':
      if (code === 0) return { outcome: 'removed', message: 'rpm removed the packages (0).' };
      if (/can't create transaction lock|transaction lock|database lock/i.test(`${r.stderr}${r.stdout}`))
        return {
          outcome: 'failed',
          retry: true,
          message: "rpm's database is locked by another process; Divest waits and retries.",
        };
      if (/is not installed/.test(`${r.stderr}${r.stdout}`))
        return {
          outcome: 'already-absent',
          message: 'rpm: the package is not installed: it was already removed.',
        };
      return { outcome: 'failed', message: `rpm failed with exit code ${code}${tail ? `: ${tail}` : ''}.` };
    case 'script':
      if (code === 0)
        return { outcome: 'removed', message: 'The vendor uninstall script finished successfully (0).' };
      return {
        outcome: 'failed',
        message: `The vendor uninstall script failed with exit code ${code}${tail ? `: ${tail}` : ''}.`,
      };
  }
}
