/**
 * What the uninstaller tools share: the parts of a step every tool fills the same way, the advice
 * that concerns an OS, and the outcomes that do not depend on the tool (a time-out, a program that
 * could not start, a kill).
 */
import type { RunResult } from '../../host/runner';
import type { Product, RemovalAdvice } from '../../model/catalog';
import type { HostOs } from '../../model/host';
import type { Advice } from '../../model/plan';
import type { Finding } from '../../model/scan';
import type { Classification, DraftStep } from './tool';

const toAdvice = (f: RemovalAdvice): Advice => ({
  text: f.text,
  refs: f.refs,
  ...(f.unconfirmed ? { unconfirmed: f.unconfirmed } : {}),
});

/** The product's removal advice that concerns this OS. */
export function adviceFor(product: Product, os: HostOs): { warnings: Advice[]; manualSteps: Advice[] } {
  const applies = (a: RemovalAdvice): boolean => !a.platforms || a.platforms.includes(os);
  return {
    warnings: (product.removal?.warnings ?? []).filter(applies).map(toAdvice),
    manualSteps: (product.removal?.manualSteps ?? []).filter(applies).map(toAdvice),
  };
}

/** The fields of a step that name what it removes, and the advice that goes with it. */
export function stepBase(
  finding: Finding,
  product: Product,
  os: HostOs,
): Pick<DraftStep, 'findingId' | 'productId' | 'productName' | 'warnings' | 'manualSteps'> {
  return {
    findingId: finding.id,
    productId: product.id,
    productName: finding.name,
    ...adviceFor(product, os),
  };
}

/** "Name 1.2.3" (the version when the scan found one). */
export function nameAndVersion(finding: Finding): string {
  return `${finding.name}${finding.version ? ` ${finding.version}` : ''}`;
}

/** The end of what a process said (its last two lines), for a failure message. */
export function outputTail(r: RunResult): string {
  return (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300);
}

/** Outcomes that mean the same for every tool: a time-out, a program that never started, a kill. */
export function classifyAbnormal(r: RunResult): Classification | undefined {
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
  if (r.exitCode === null)
    return { outcome: 'failed', message: `The uninstaller was killed by ${r.signal ?? 'a signal'}.` };
  return undefined;
}

/** A command as a person would type it in a POSIX shell (odd arguments in single quotes). */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

/** The step's own argv with nothing added: for tools that take no credentials. */
export function plainAttempt(argv: readonly string[]): { argv: string[]; secrets: []; outputSecrets: [] } {
  return { argv: [...argv], secrets: [], outputSecrets: [] };
}
