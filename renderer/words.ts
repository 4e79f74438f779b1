/**
 * The app's words for results, written once: what the one live region announces (WCAG 2.2
 * 4.1.3: each result once, in words) and the headlines the screens show. Plain language first;
 * ids, exit codes and timings stay in the details.
 */
import type {
  ApiError,
  RemovalSummary,
  RemoveProgress,
  ReplacementStatus,
  ScanResult,
  StepResult,
  VerifyResult,
} from '../core/api';

/** Outcome words for people (no exit codes). */
export const OUTCOME_WORDS: Record<StepResult['outcome'], string> = {
  removed: 'Removed',
  'already-absent': 'Already gone',
  'reboot-required': 'Restart needed to finish',
  failed: 'Failed',
  'timed-out': 'Stopped: took too long',
  skipped: 'Not done yet (by hand)',
  'manual-reported': 'Done by hand',
};

/** "1 banned product is" / "2 banned products are". */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Counts of what a scan found. */
export function scanCounts(r: ScanResult): { installed: number; traces: number; review: number } {
  return {
    installed: r.findings.filter((f) => f.status === 'banned' && f.presence === 'installed').length,
    traces: r.findings.filter((f) => f.status === 'banned' && f.presence === 'traces').length,
    review: r.findings.filter((f) => f.status === 'review').length,
  };
}

/** The scan's headline, naming what it found. */
export function scanHeadline(r: ScanResult): string {
  const c = scanCounts(r);
  if (c.installed > 0) {
    const names = r.findings
      .filter((f) => f.status === 'banned' && f.presence === 'installed')
      .map((f) => f.name);
    return `${plural(c.installed, 'banned product is', 'banned products are')} installed: ${names.join(', ')}`;
  }
  if (r.findings.length === 0) return 'Nothing from the catalog was found';
  return `No banned product is installed, but ${plural(c.traces + c.review, 'thing needs', 'things need')} a look`;
}

/** "1 min 05 s", "45 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** What to announce when a step of the store finishes (null: nothing to say). */
export function announcementFor(key: string, value: unknown): string | null {
  switch (key) {
    case 'scan':
      return `Scan finished. ${scanHeadline(value as ScanResult)}.`;
    case 'removal':
      return `Removal finished. ${(value as RemovalSummary).verdict.headline}`;
    case 'verify': {
      const v = value as VerifyResult;
      return `Rescan finished. ${
        v.stillInstalled.length
          ? `${plural(v.stillInstalled.length, 'banned product is', 'banned products are')} still installed.`
          : 'No banned software is installed.'
      } ${plural(v.leftovers.length, 'leftover', 'leftovers')} found.`;
    }
    case 'replacement': {
      const r = value as ReplacementStatus;
      return r.state === 'active'
        ? `Protected: ${r.product} is active.`
        : `UNPROTECTED: ${r.product} is ${r.state}.`;
    }
    case 'plan':
      return 'The removal plan is ready. Read its warnings before you start.';
    default:
      return null;
  }
}

/** What to announce for a removal event: each step's result, and a long silence once. */
export function progressAnnouncement(e: RemoveProgress, before: readonly RemoveProgress[]): string | null {
  if (e.type === 'step-finished') {
    const started = [...before].reverse().find((x) => x.type === 'step-started' && x.stepId === e.stepId);
    const where = started?.type === 'step-started' ? `Step ${started.position} of ${started.of}` : 'A step';
    return `${where}, ${e.result.title}: ${OUTCOME_WORDS[e.result.outcome]}.`;
  }
  if (e.type === 'step-tick' && e.note) {
    const said = before.some((x) => x.type === 'step-tick' && x.stepId === e.stepId && x.note !== null);
    return said ? null : e.note;
  }
  if (e.type === 'manual-needed') return `${e.title}: this step needs you, by hand.`;
  return null;
}

/** An engine error in the app's words: no command-line flags in what the app says. */
export function plainError(e: ApiError): ApiError {
  return {
    ...e,
    message: e.message
      .replace(/--host-root (\S+)/g, 'the image folder $1')
      .replace(/"divest remove --new-plan"/g, '"Make a new plan"')
      .replace(/--new-plan/g, '"Make a new plan"')
      .replace(/Choose another with --data-dir\./g, 'Choose another data folder.')
      .replace(/ ?\(?(use )?--data-dir( DIR)?\)?/g, ''),
  };
}
