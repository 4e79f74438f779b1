/**
 * Remove: the plan running step by step with determinate progress (step k of n), the running
 * step's time against its limit and its silences ("no output for 3 min — the uninstaller may be
 * waiting for input"), two ways to stop (after the current step; or this uninstaller now, with
 * its consequence said first), the verdict at the end, and after a failure a way on per product.
 *
 * Each step's result is announced once through the app's live region; the uninstallers' raw
 * output is shown, not announced.
 */
import { useState } from 'react';
import { Button } from '@trussworks/react-uswds';
import type { RemoveProgress, StepResult } from '../../core/api';
import { EmptyState, ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { FailureWayOn } from '../components/failure-way-on';
import { useStore } from '../store';
import { OUTCOME_WORDS, duration } from '../words';

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

type Tick = Extract<RemoveProgress, { type: 'step-tick' }>;
type Started = Extract<RemoveProgress, { type: 'step-started' }>;

/** The running step, its latest tick, and how many steps are finished. */
function running(log: readonly RemoveProgress[]): { started?: Started; tick?: Tick; finished: number } {
  let started: Started | undefined;
  let tick: Tick | undefined;
  let finished = 0;
  for (const e of log) {
    if (e.type === 'step-started') {
      started = e;
      tick = undefined;
    } else if (e.type === 'step-tick' && e.stepId === started?.stepId) tick = e;
    else if (e.type === 'step-finished') {
      finished++;
      if (e.stepId === started?.stepId) started = undefined;
    }
  }
  return { ...(started ? { started } : {}), ...(tick ? { tick } : {}), finished };
}

/** The progress of the running removal. */
function RemovalProgress() {
  const { state } = useStore();
  const steps = state.plan.value?.plan.steps ?? [];
  const { started, tick, finished } = running(state.removeLog);
  const phase = [...state.removeLog].reverse().find((e) => e.type === 'phase');
  const of = started?.of || steps.length;
  const label = started
    ? `Step ${started.position} of ${of}: ${started.title}`
    : phase?.type === 'phase'
      ? phase.message
      : 'Starting the removal';
  return (
    <div className="determinate">
      <label htmlFor="removal-progress-bar" className="determinate__label">
        {label}
      </label>
      <progress id="removal-progress-bar" max={Math.max(of, 1)} value={finished} />
      {started ? (
        <p className="margin-top-05 margin-bottom-0">
          Running for {duration(tick?.elapsedMs ?? 0)} of {duration(started.timeoutMs)} allowed; Divest stops
          it at the limit.
        </p>
      ) : null}
      {tick?.note ? <Notice type="warning" slim title={tick.note} level="h3" /> : null}
    </div>
  );
}

/** The two ways to stop a running removal, each with what it does beside it. */
function StopControls() {
  const { state, cancelRemoval, stopNow } = useStore();
  const [confirming, setConfirming] = useState(false);
  const { cancelling, stopping } = state;
  return (
    <div className="stop-controls">
      <div className="control-with-reason">
        <Button
          type="button"
          secondary
          aria-disabled={cancelling}
          className={cancelling ? 'is-disabled' : undefined}
          aria-describedby="stop-after-reason"
          onClick={() => {
            if (!cancelling) void cancelRemoval();
          }}
        >
          Stop after the current step
        </Button>
        <p id="stop-after-reason" className="control-reason">
          {cancelling
            ? 'Stopping after the current step: the running uninstaller is left to finish, then nothing more runs.'
            : 'The running uninstaller finishes; no further step starts. You can continue later.'}
        </p>
      </div>
      <div className="control-with-reason">
        {!confirming ? (
          <Button
            type="button"
            outline
            aria-disabled={stopping !== null}
            className={stopping ? 'is-disabled' : undefined}
            aria-describedby="stop-now-reason"
            onClick={() => {
              if (!stopping) setConfirming(true);
            }}
          >
            Stop this uninstaller now
          </Button>
        ) : (
          <div role="group" aria-labelledby="stop-now-question" className="stop-now-confirm">
            <p id="stop-now-question" className="margin-top-0">
              <strong>Kill the running uninstaller now?</strong> It and every process it started are killed at
              once; the product may be left half-removed, and the step is recorded as stopped by you.
            </p>
            <Button
              type="button"
              secondary
              onClick={() => {
                setConfirming(false);
                void stopNow();
              }}
            >
              Yes, stop it now
            </Button>
            <Button type="button" outline onClick={() => setConfirming(false)}>
              Keep it running
            </Button>
          </div>
        )}
        <p id="stop-now-reason" className="control-reason">
          {stopping
            ? stopping.message
            : 'For an uninstaller that hangs: kills it now. The product may be left half-removed.'}
        </p>
      </div>
    </div>
  );
}

/** The Remove screen. */
export function RemoveScreen() {
  const { state, navigate } = useStore();
  const { removal, removeLog, plan } = state;
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
  const output = removeLog
    .filter((e): e is Extract<RemoveProgress, { type: 'step-output' }> => e.type === 'step-output')
    .map((e) => e.text)
    .join('');
  const summary = removal.value;
  const products = [...new Set(steps.map((s) => s.productName))];
  return (
    <>
      <ScreenHeading
        lead={
          steps.length
            ? `${removal.running ? 'Removing' : 'The removal of'} ${products.join(', ')}, in ${steps.length} step${steps.length === 1 ? '' : 's'}.`
            : undefined
        }
      >
        Remove
      </ScreenHeading>
      {removal.running ? <RemovalProgress /> : null}
      {removal.running ? <StopControls /> : null}
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
        >
          {summary.verdict.details.map((d, i) => (
            <p key={i} className="margin-0">
              {d}
            </p>
          ))}
        </Notice>
      ) : null}
      {summary ? <FailureWayOn summary={summary} /> : null}
      {summary ? (
        <div className="flow-next">
          <Button type="button" onClick={() => navigate('verify')}>
            See leftovers
          </Button>
          <Button type="button" outline onClick={() => navigate('replace')}>
            Check protection
          </Button>
          <Button type="button" outline onClick={() => navigate('receipt')}>
            Receipt
          </Button>
        </div>
      ) : null}
      <div className="table-scroll">
        <table className="usa-table usa-table--borderless usa-table--stacked steps-table">
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
            {[...states.entries()].map(([id, s], i) => (
              <tr key={id}>
                <th scope="row" data-label="Step">
                  {i + 1}
                </th>
                <td data-label="What">{s.title}</td>
                <td data-label="State">
                  {s.status === 'running'
                    ? 'Running…'
                    : s.status === 'finished' && s.result
                      ? OUTCOME_WORDS[s.result.outcome]
                      : s.status === 'manual'
                        ? 'Needs you (by hand)'
                        : summary
                          ? 'Not run'
                          : 'Waiting'}
                </td>
                <td data-label="Result">
                  {s.result?.message ?? ''}
                  {s.result ? (
                    <details className="details">
                      <summary>Technical details</summary>
                      <p className="margin-0">
                        Exit code {s.result.exitCode ?? 'none (the process was stopped or never started)'};
                        took {duration(s.result.durationMs ?? 0)}.
                      </p>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="details" open={removal.running}>
        <summary>Uninstaller output, as written</summary>
        <pre className="step-output" tabIndex={0} aria-label="Uninstaller output">
          {output || (removal.running ? 'Waiting for output…' : 'No output.')}
        </pre>
      </details>
    </>
  );
}
