/**
 * Replace: the machine must not be left unprotected. Shows the recommended replacement for this OS
 * (built-in first) and whether it is actually active; anything but "active" is UNPROTECTED, loudly.
 */
import { Button } from '@trussworks/react-uswds';
import { EmptyState, ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { useStore } from '../store';

const RECOMMENDED: Record<string, string> = {
  windows: 'Microsoft Defender Antivirus (built into Windows)',
  macos: 'XProtect (built into macOS)',
  linux: 'ClamAV (packaged by every major distribution)',
};

/** The Replace screen. */
export function ReplaceScreen() {
  const { state, checkReplacement, navigate } = useStore();
  const { replacement, info } = state;
  const r = replacement.value;
  const os = r?.os ?? info.value?.os;
  return (
    <>
      <ScreenHeading lead="After removal the machine needs working antivirus protection. Divest recommends the built-in one first and checks that it is really active.">
        Replace
      </ScreenHeading>
      {os ? (
        <p>
          Recommended here: <strong>{RECOMMENDED[os]}</strong>.
        </p>
      ) : null}
      {replacement.error ? (
        <ErrorAlert
          error={replacement.error}
          onRetry={() => void checkReplacement()}
          retryLabel="Check again"
        />
      ) : null}
      <div role="status" aria-live="polite">
        {replacement.running ? (
          <p className="scan-progress">
            <span className="usa-spinner" aria-hidden="true" /> Checking protection…
          </p>
        ) : null}
      </div>
      {!r ? (
        <EmptyState
          title="Protection not checked yet"
          action={replacement.running ? undefined : 'Check protection'}
          onAction={() => void checkReplacement()}
        >
          <p>Divest checks the replacement by itself after a removal; you can check it at any time.</p>
        </EmptyState>
      ) : (
        <>
          {r.state === 'active' ? (
            <Notice type="success" title={`Protected: ${r.product} is active`} role="status">
              <p className="margin-0">{r.detail}</p>
            </Notice>
          ) : (
            <Notice
              type="emergency"
              title={`UNPROTECTED: ${r.product} is ${r.state === 'not-installed' ? 'not installed' : r.state}`}
              role="alert"
              className="margin-y-2 unprotected"
            >
              <p className="margin-0">{r.detail.replace(/^UNPROTECTED:\s*/, '')}</p>
            </Notice>
          )}
          <h2>What was checked</h2>
          {r.evidence.length ? (
            <ul className="usa-list">
              {r.evidence.map((e, i) => (
                <li key={i}>
                  <code className="location">{e}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p>Nothing of it was found on this machine.</p>
          )}
          <p className="text-base-dark">Checked at {r.checkedAt.slice(0, 19).replace('T', ' ')} UTC.</p>
          <div className="flow-next">
            <Button type="button" onClick={() => navigate('receipt')}>
              Receipt
            </Button>
            <Button
              type="button"
              outline
              disabled={replacement.running}
              onClick={() => void checkReplacement()}
            >
              Check again
            </Button>
          </div>
        </>
      )}
    </>
  );
}
