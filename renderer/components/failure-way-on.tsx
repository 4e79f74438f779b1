/**
 * After a removal that did not finish: per product, its name (never an internal id), its state,
 * the likely cause in words (the step's own message, which carries the catalog's instructions for
 * clearing it by hand), and the ways on: "Try again" (plan again from a fresh scan; a stopped plan
 * is continued) and "Continue with the remaining steps" (the other products, without this one).
 */
import { Button } from '@trussworks/react-uswds';
import type { RemovalSummary } from '../../core/api';
import { useStore } from '../store';
import { OUTCOME_WORDS } from '../words';

interface ProductProblem {
  productId: string;
  name: string;
  state: string;
  cause: string;
}

/** What went wrong, per product, from the summary and the plan's steps. */
export function productProblems(
  summary: RemovalSummary,
  steps: readonly { id: string; productId: string; productName: string }[],
): ProductProblem[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const out = new Map<string, ProductProblem>();
  for (const r of summary.results) {
    if (r.outcome !== 'failed' && r.outcome !== 'timed-out' && r.outcome !== 'skipped') continue;
    const name = byId.get(r.stepId)?.productName ?? r.title;
    let cause = r.message;
    if (summary.verdict.plan?.needsCredential && r.outcome === 'failed')
      cause +=
        ' It refused without its uninstall password: choose Try again and give the password when Divest asks for it on the plan.';
    if (r.outcome === 'timed-out')
      cause +=
        ' It ran past its time limit and was stopped; it may have been waiting for input on this machine.';
    out.set(r.productId, { productId: r.productId, name, state: OUTCOME_WORDS[r.outcome], cause });
  }
  for (const id of summary.remaining) {
    const step = byId.get(id);
    if (!step || out.has(step.productId)) continue;
    out.set(step.productId, {
      productId: step.productId,
      name: step.productName,
      state: 'Not run',
      cause:
        summary.status === 'cancelled'
          ? 'You stopped the removal before this step.'
          : 'Divest stops at the first step that fails, so that nothing runs on top of a half-removed product.',
    });
  }
  return [...out.values()];
}

/** The way on after a failure, or nothing when the removal finished. */
export function FailureWayOn({ summary }: { summary: RemovalSummary }) {
  const { state, makePlanWith, navigate } = useStore();
  const steps = state.plan.value?.plan.steps ?? [];
  const problems = productProblems(summary, steps);
  if (summary.status === 'completed' || summary.status === 'reboot-pending' || problems.length === 0)
    return null;
  const failed = new Set(
    summary.results
      .filter((r) => r.outcome === 'failed' || r.outcome === 'timed-out')
      .map((r) => r.productId),
  );
  const others =
    summary.status !== 'failed'
      ? []
      : [
          ...new Set(
            summary.remaining
              .map((id) => steps.find((s) => s.id === id)?.productId)
              .filter((p): p is string => p !== undefined && !failed.has(p)),
          ),
        ];
  const go = async (only?: string[]) => {
    navigate('plan');
    await makePlanWith(only ? { only } : {});
  };
  return (
    <section aria-labelledby="way-on-heading" className="way-on">
      <h2 id="way-on-heading">What to do now</h2>
      <ul className="usa-list usa-list--unstyled">
        {problems.map((p) => (
          <li key={p.productId} className="way-on__product">
            <h3 className="margin-bottom-05">
              {p.name}: {p.state}
            </h3>
            <p className="margin-top-0">{p.cause}</p>
          </li>
        ))}
      </ul>
      <div className="flow-next">
        <Button type="button" onClick={() => void go()}>
          Try again
        </Button>
        {others.length ? (
          <Button type="button" outline onClick={() => void go(others)}>
            Continue with the remaining steps
          </Button>
        ) : null}
      </div>
      <p className="text-base-dark">
        Both check the machine again and show the plan with its warnings before anything runs.
      </p>
    </section>
  );
}
