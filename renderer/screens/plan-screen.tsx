/**
 * Plan: the ordered removal plan with everything to know before starting. The user must confirm
 * the warnings; a password-protected product gets its password field here (used only if the
 * uninstaller refuses without it, never stored); a step that cannot be automated shows what to do
 * by hand, with a box to report it done.
 */
import { useState } from 'react';
import { Button, Checkbox, Fieldset, Label, TextInput } from '@trussworks/react-uswds';
import type { PlanStep } from '../../core/api';
import {
  Command,
  formatTime,
  EmptyState,
  ErrorAlert,
  Notice,
  ScreenHeading,
  Sourced,
} from '../components/common';
import { RightsNotice } from '../components/rights-notice';
import { useStore } from '../store';

function StepView({
  step,
  manualDone,
  onManual,
}: {
  step: PlanStep;
  manualDone: boolean;
  onManual: (done: boolean) => void;
}) {
  return (
    <li className="usa-process-list__item plan-step">
      <h3 className="usa-process-list__heading">{step.title}</h3>
      {step.argv.length ? (
        <p>
          Runs: <Command argv={step.argv} />
        </p>
      ) : null}
      {step.preflight.length ? (
        <p className="margin-y-05">Checks first: {step.preflight.join('; ')}.</p>
      ) : null}
      {step.credentials ? (
        <p className="margin-y-05">This product may be password-protected: see the password field below.</p>
      ) : null}
      {step.warnings.length ? (
        <ul className="usa-list">
          {step.warnings.map((w, i) => (
            <li key={i}>
              <Sourced fact={w} />
            </li>
          ))}
        </ul>
      ) : null}
      {step.notes.map((n, i) => (
        <p key={i} className="text-base-darker margin-y-05">
          Note: {n}
        </p>
      ))}
      {step.method === 'manual' || step.manualSteps.length ? (
        <>
          <h4 className="margin-bottom-05">
            {step.method === 'manual' ? 'To do by hand' : 'If it fails, by hand'}
          </h4>
          <ol className="usa-list">
            {step.manualSteps.map((m, i) => (
              <li key={i}>
                <Sourced fact={m} />
              </li>
            ))}
          </ol>
          {step.method === 'manual' ? (
            <Checkbox
              id={`manual-${step.id}`}
              name={`manual-${step.id}`}
              label={`I have done this by hand: ${step.title}`}
              checked={manualDone}
              onChange={(e) => onManual(e.target.checked)}
            />
          ) : null}
        </>
      ) : null}
    </li>
  );
}

/** The Plan screen. */
export function PlanScreen() {
  const { state, makePlan, startRemoval, navigate } = useStore();
  const [ack, setAck] = useState(false);
  const [login, setLogin] = useState('KLAdmin');
  const [password, setPassword] = useState('');
  const [manual, setManual] = useState<string[]>([]);
  const { plan, info, removal } = state;
  const p = plan.value;
  const mode = info.value?.removal.mode;

  const heading = (
    <ScreenHeading lead="The ordered plan: each step runs the vendor's own uninstaller or package tool, with the exact command shown. Nothing runs until you start it.">
      Removal plan
    </ScreenHeading>
  );
  if (!p)
    return (
      <>
        {heading}
        <RightsNotice />
        {plan.error ? (
          <ErrorAlert error={plan.error} onRetry={() => void makePlan()} retryLabel="Make the plan" />
        ) : null}
        <EmptyState
          title={plan.running ? 'Making the plan…' : 'No plan yet'}
          action={plan.running ? undefined : 'Make the plan'}
          onAction={() => void makePlan()}
        >
          <p>
            Divest scans again and orders the removal (the protection product before its management agent).
          </p>
        </EmptyState>
      </>
    );
  const steps = p.plan.steps;
  const needsPassword = steps.some((s) => s.credentials);
  const needsLogin = steps.some((s) => s.credentials === 'kes-kllogin-klpasswd');
  const canStart =
    ack && steps.length > 0 && mode !== 'unavailable' && !removal.running && p.kind !== 'reboot-pending';
  // Why Start is disabled, said beside it (not only in a banner far above).
  const startBlocked =
    mode === 'unavailable'
      ? 'Removal cannot run here: Divest has no administrator rights and cannot ask for them (see above).'
      : removal.running
        ? 'A removal is already running.'
        : p.kind === 'reboot-pending'
          ? 'Restart the machine first.'
          : !ack
            ? 'Confirm the warnings above to start.'
            : null;
  const start = async () => {
    navigate('remove');
    await startRemoval({
      planId: p.plan.id,
      manualDone: manual,
      ...(password ? { credentials: { password, ...(needsLogin && login ? { login } : {}) } } : {}),
    });
    setPassword('');
  };
  return (
    <>
      {heading}
      <RightsNotice />
      {plan.error ? (
        <ErrorAlert error={plan.error} onRetry={() => void makePlan()} retryLabel="Make the plan again" />
      ) : null}
      {p.kind === 'resume' ? (
        <Notice type="info" title="An unfinished removal will be continued">
          <p className="margin-0">
            This removal was started earlier: {p.doneSteps} of {steps.length} steps are done. Starting
            continues where it stopped.
          </p>
        </Notice>
      ) : null}
      {p.kind === 'reboot-pending' ? (
        <Notice type="warning" title="Restart the machine to finish">
          <p className="margin-0">
            This removal is waiting for a restart (since {formatTime(p.rebootPendingSince ?? '')}). Restart,
            then open Divest and continue.
          </p>
        </Notice>
      ) : null}
      {steps.length === 0 ? (
        <EmptyState title="Nothing to remove" action="Export a receipt" onAction={() => navigate('receipt')}>
          <p>No banned software is installed, so the plan has no steps.</p>
        </EmptyState>
      ) : (
        <>
          <Notice type="warning" title="Before you start">
            <ul className="usa-list margin-0">
              {p.plan.warnings.map((w, i) => (
                <li key={i}>{w.text}</li>
              ))}
            </ul>
          </Notice>
          <h2>
            {steps.length} step{steps.length === 1 ? '' : 's'}, in this order
          </h2>
          <ol className="usa-process-list">
            {steps.map((s) => (
              <StepView
                key={s.id}
                step={s}
                manualDone={manual.includes(s.id)}
                onManual={(done) => setManual((m) => (done ? [...m, s.id] : m.filter((x) => x !== s.id)))}
              />
            ))}
          </ol>
          {needsPassword ? (
            <Fieldset
              legend="Uninstall password (only if the product is password-protected)"
              className="margin-y-3"
            >
              <p className="usa-hint" id="password-hint">
                Used only if an uninstaller refuses to run without it. It is never stored, shown or written to
                the log.
              </p>
              {needsLogin ? (
                <>
                  <Label htmlFor="uninstall-login">Login</Label>
                  <TextInput
                    id="uninstall-login"
                    name="uninstall-login"
                    type="text"
                    value={login}
                    autoComplete="off"
                    onChange={(e) => setLogin(e.target.value)}
                  />
                </>
              ) : null}
              <Label htmlFor="uninstall-password">Password</Label>
              <TextInput
                id="uninstall-password"
                name="uninstall-password"
                type="password"
                autoComplete="off"
                aria-describedby="password-hint"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Fieldset>
          ) : null}
          <Checkbox
            id="acknowledge"
            name="acknowledge"
            className="margin-y-3"
            label="I have read the warnings above, saved my work and closed other programs."
            checked={ack}
            onChange={(e) => setAck(e.target.checked)}
          />
          <div className="flow-next">
            <div className="control-with-reason">
              <Button
                type="button"
                size="big"
                disabled={!canStart}
                aria-describedby={startBlocked ? 'start-reason' : undefined}
                onClick={() => void start()}
              >
                {mode === 'elevated' ? 'Start removal (asks for administrator rights)' : 'Start removal'}
              </Button>
              {startBlocked ? (
                <p id="start-reason" className="control-reason">
                  {startBlocked}
                </p>
              ) : null}
            </div>
            <Button type="button" outline onClick={() => void makePlan()} disabled={plan.running}>
              Make the plan again
            </Button>
          </div>
        </>
      )}
      {p.plan.skipped.length ? (
        <>
          <h2>Not in the plan</h2>
          <ul className="usa-list">
            {p.plan.skipped.map((s) => (
              <li key={s.findingId}>
                <strong>{s.name}</strong>: {s.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
