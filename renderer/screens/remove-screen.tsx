/**
 * Remove: the plan running step by step, with each uninstaller's output as it comes, a cancel that
 * stops before the next step (an uninstaller already running is left to finish: killing one
 * half-way can leave a product broken and unremovable), and the verdict at the end.
 */
import { Button } from '@trussworks/react-uswds';
import type { RemoveProgress, StepResult } from '../../core/api';
import { EmptyState, ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { useStore } from '../store';

const OUTCOME_WORDS: Record<StepResult['outcome'], string> = {
  removed: 'Removed',
  'already-absent': 'Already absent',
  'reboot-required': 'Restart required',
  failed: 'Failed',
  'timed-out': 'Timed out',
  skipped: 'Not done',
  'manual-reported': 'Done by hand',
};

type StepState = {
  title: string;
  status: 'waiting' | 'running' | 'finished' | 'manual';
  result?: StepResult;
};

/** Each step's latest state, from the plan and the progress events. */
export function stepStates(
  steps: { id: string; title: string }[],
  log: readonly RemoveProgress[],
): Map<string, StepState> {
  const m = new Map<string, StepState>(steps.map((s) => [s.id, { title: s.title, status: 'waiting' }]));
  for (const e of log) {
    if (e.type === 'step-started') m.set(e.stepId, { title: e.title, status: 'running' });
    else if (e.type === 'step-finished')
      m.set(e.stepId, { title: e.result.title, status: 'finished', result: e.result });
    else if (e.type === 'manual-needed') m.set(e.stepId, { title: e.title, status: 'manual' });
  }
  return m;
}

/** The Remove screen. */
export function RemoveScreen() {
  const { state, cancelRemoval, navigate } = useStore();
  const { removal, removeLog, plan, cancelling } = state;
  const steps = plan.value?.plan.steps ?? [];
  if (!removal.running && !removal.value && !removal.error)
    return (
      <>
        <ScreenHeading>Remove</ScreenHeading>
        <EmptyState title="No removal has run" action="Go to the plan" onAction={() => navigate('plan')}>
          <p>Start the removal from the plan, after reading its warnings.</p>
        </EmptyState>
      </>
    );
  const states = stepStates(steps, removeLog);
  const phase = [...removeLog].reverse().find((e) => e.type === 'phase');
  const output = removeLog
    .filter((e): e is Extract<RemoveProgress, { type: 'step-output' }> => e.type === 'step-output')
    .map((e) => e.text)
    .join('');
  const summary = removal.value;
  return (
    <>
      <ScreenHeading
        lead={
          plan.value
            ? `Plan ${plan.value.plan.id}: ${steps.length} step${steps.length === 1 ? '' : 's'}.`
            : undefined
        }
      >
        Remove
      </ScreenHeading>
      <div role="status" aria-live="polite">
        {removal.running ? (
          <p className="scan-progress">
            <span className="usa-spinner" aria-hidden="true" />{' '}
            {phase?.type === 'phase' ? phase.message : 'Starting…'}
          </p>
        ) : null}
      </div>
      {removal.error ? <ErrorAlert error={removal.error} /> : null}
      {summary ? (
        <Notice
          type={
            summary.verdict.state === 'removed' || summary.verdict.state === 'clean'
              ? 'success'
              : summary.verdict.state === 'restart-pending'
                ? 'warning'
                : 'error'
          }
          title={summary.verdict.headline}
          role="alert"
        >
          {summary.verdict.details.map((d, i) => (
            <p key={i} className="margin-0">
              {d}
            </p>
          ))}
        </Notice>
      ) : null}
      <table className="usa-table usa-table--borderless steps-table">
        <caption>Steps</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">What</th>
            <th scope="col">State</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {[...states.entries()].map(([id, s]) => (
            <tr key={id}>
              <th scope="row">{id}</th>
              <td>{s.title}</td>
              <td>
                {s.status === 'running'
                  ? 'Running…'
                  : s.status === 'finished' && s.result
                    ? `${OUTCOME_WORDS[s.result.outcome]}${s.result.exitCode !== null ? ` (exit ${s.result.exitCode})` : ''}`
                    : s.status === 'manual'
                      ? 'Needs you (by hand)'
                      : summary
                        ? 'Not run'
                        : 'Waiting'}
              </td>
              <td>{s.result?.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="output-heading">Uninstaller output</h2>
      <pre className="step-output" role="log" aria-labelledby="output-heading" tabIndex={0}>
        {output || (removal.running ? 'Waiting for output…' : 'No output.')}
      </pre>
      <div className="flow-next">
        {removal.running ? (
          <Button type="button" secondary disabled={cancelling} onClick={() => void cancelRemoval()}>
            {cancelling ? 'Stopping after the current step…' : 'Stop after the current step'}
          </Button>
        ) : null}
        {summary ? (
          <>
            <Button type="button" onClick={() => navigate('verify')}>
              See leftovers
            </Button>
            <Button type="button" outline onClick={() => navigate('replace')}>
              Check protection
            </Button>
            <Button type="button" outline onClick={() => navigate('receipt')}>
              Receipt
            </Button>
          </>
        ) : null}
      </div>
    </>
  );
}
