/**
 * `divest remove`'s words at the terminal: live step lines and the summary, verdict first. Every
 * value from the machine goes through `safe`/`field`.
 */
import type { ExecutionEvent } from '../core/remove/execute';
import type { RemovalOutcome } from '../core/usecases/remove';
import { OUTCOME_WORDS } from '../core/receipt/attest';
import { field, safe } from './safe-output';

/** One live line per step event, on stderr. */
export function describeEvent(e: ExecutionEvent, err: NodeJS.WritableStream): void {
  switch (e.type) {
    case 'step-started':
      err.write(safe`[${e.step.id}] ${e.step.title}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}...\n`);
      break;
    case 'step-finished':
      err.write(safe`[${e.step.id}] ${OUTCOME_WORDS[e.result.outcome]}: ${e.result.message}\n`);
      break;
    case 'manual-needed':
      err.write(safe`[${e.step.id}] ${e.step.title}: this must be done by hand:\n`);
      for (const m of e.step.manualSteps) err.write(safe`    - ${m.text}\n`);
      break;
    case 'step-output':
      break;
  }
}

/** The summary after a removal: the verdict, each step, what is left, protection, the next step. */
export function formatRemoval(o: RemovalOutcome): string {
  const v = o.verdict;
  const lines: string[] = ['', field(v.headline), ...v.details.map((d) => `  ${field(d)}`)];
  const byId = new Map(o.plan.steps.map((s) => [s.id, s]));
  for (const r of o.execution.results)
    lines.push(
      safe`  ${OUTCOME_WORDS[r.outcome].padEnd(16)} ${r.title}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`,
    );
  for (const id of o.execution.remaining)
    lines.push(safe`  ${'Not run'.padEnd(16)} ${byId.get(id)?.title ?? id}`);
  if (o.leftovers.length) {
    lines.push('', `Leftovers (${o.leftovers.length}) and how to clear them:`);
    for (const l of o.leftovers) lines.push(safe`  - [${l.kind}] ${l.location}`, safe`      ${l.howToClear}`);
  } else lines.push('No leftovers found by the rescan.');
  lines.push(
    '',
    safe`Protection: ${o.replacement.product}: ${o.replacement.state.toUpperCase()}. ${o.replacement.detail}`,
  );
  lines.push(
    '',
    'Export the signed receipt with "divest receipt export --out receipt.json --html receipt.html".',
  );
  return `${lines.join('\n')}\n`;
}
