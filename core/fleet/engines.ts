/**
 * What the Windows management engines need from Divest, decided from the machine verdict: the
 * exit code and the one stdout line, following each engine's documented convention exactly
 * (research NOTES §5, memdocs remediations.md and create-applications.md):
 *
 * Intune Remediations, detection script: remediation runs ONLY when detection exits 1. Divest exits
 * 1 when banned software is installed and a removal can act on it; 0 when it is clean or only waits
 * for a restart; 2 when it could not tell (an error, or places it could not look). Output: one line
 * of at most 2,048 characters (Intune keeps the last line), nothing on stderr.
 *
 * Configuration Manager, script detection of the "remediation" application (install = remove):
 * exit 0 WITH stdout means Installed (compliant); exit 0 with EMPTY stdout means Not installed
 * (ConfigMgr then runs the install program, `divest.exe remove --yes --exit-codes msi`); any
 * non-zero exit means Unknown, which is what an internal error or an unverifiable machine must give
 * (an empty stdout would make ConfigMgr "install" on a machine whose state is unknown).
 */
import type { Verdict } from '../model/verdict';

export interface EngineReply {
  /** The one line to print ('' prints nothing at all). */
  line: string;
  exitCode: number;
}

/** Intune's and ConfigMgr's output limit (characters), which Divest keeps for every engine line. */
export const ENGINE_LINE_MAX = 2048;

/** One line: no line breaks, at most 2,048 characters. */
export function oneLine(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ').trim();
  return flat.length <= ENGINE_LINE_MAX ? flat : `${flat.slice(0, ENGINE_LINE_MAX - 6)} +more`;
}

/** The engine line for a failure of Divest itself (printed on stdout: stderr stays empty). */
export function errorLine(message: string): string {
  return oneLine(`DIVEST/1 state=error message=${JSON.stringify(message)}`);
}

/** Whether a removal could act: banned software is installed and the machine is not waiting for a restart. */
function removable(v: Verdict): boolean {
  return v.stillInstalled.length > 0 && v.state !== 'restart-pending';
}

/** Whether the scan could not see everything (or nothing was scanned): no answer either way. */
function unknowable(v: Verdict): boolean {
  return v.state === 'could-not-look' || v.state === 'not-scanned';
}

/** `divest intune detect`. */
export function intuneDetect(v: Verdict, statusLine: string): EngineReply {
  if (removable(v)) return { line: oneLine(statusLine), exitCode: 1 };
  if (unknowable(v)) return { line: oneLine(statusLine), exitCode: 2 };
  return { line: oneLine(statusLine), exitCode: 0 };
}

/**
 * `divest intune remediate`, after the removal: 0 when nothing banned is left installed (or only
 * a restart is missing), 1 otherwise (failed, needs a credential, could not verify).
 */
export function intuneRemediate(v: Verdict, statusLine: string): EngineReply {
  const done = v.stillInstalled.length === 0 && !unknowable(v);
  return { line: oneLine(statusLine), exitCode: done || v.state === 'restart-pending' ? 0 : 1 };
}

/** `divest configmgr detect`. */
export function configMgrDetect(v: Verdict, statusLine: string): EngineReply {
  if (unknowable(v)) return { line: oneLine(statusLine), exitCode: 1 };
  if (v.stillInstalled.length > 0) return { line: '', exitCode: 0 };
  return { line: oneLine(statusLine), exitCode: 0 };
}
