/**
 * Verify: the rescan after removal. What is still installed, and every leftover (services,
 * drivers, files, keys) with how to clear it. Divest deletes none of them itself.
 */
import { Button } from '@trussworks/react-uswds';
import { EmptyState, ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { useStore } from '../store';

/** The Verify screen. */
export function VerifyScreen() {
  const { state, runVerify, navigate } = useStore();
  const { verify } = state;
  const v = verify.value;
  return (
    <>
      <ScreenHeading lead="A fresh scan after removal: what is still there, and how to clear it by hand.">
        Verify
      </ScreenHeading>
      {verify.error ? (
        <ErrorAlert error={verify.error} onRetry={() => void runVerify()} retryLabel="Rescan" />
      ) : null}
      <div role="status" aria-live="polite">
        {verify.running ? (
          <p className="scan-progress">
            <span className="usa-spinner" aria-hidden="true" /> Rescanning…
          </p>
        ) : null}
      </div>
      {!v ? (
        <EmptyState
          title="Not verified yet"
          action={verify.running ? undefined : 'Rescan now'}
          onAction={() => void runVerify()}
        >
          <p>After a removal Divest rescans by itself; you can also rescan at any time.</p>
        </EmptyState>
      ) : (
        <>
          {v.stillInstalled.length ? (
            <Notice type="error" title="Banned software is still installed">
              <ul className="usa-list margin-0">
                {v.stillInstalled.map((f) => (
                  <li key={f.id}>
                    {f.name} {f.version ?? ''}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : (
            <Notice type="success" title="No banned software is installed">
              <p className="margin-0">The rescan found none of the catalog's banned products installed.</p>
            </Notice>
          )}
          <h2>Leftovers ({v.leftovers.length})</h2>
          {v.leftovers.length === 0 ? (
            <p>No leftovers: nothing of the banned products remains that the scan can see.</p>
          ) : (
            <ul className="usa-list usa-list--unstyled leftovers">
              {v.leftovers.map((l, i) => (
                <li
                  key={i}
                  className="leftover border-left-05 border-accent-warm padding-left-2 margin-bottom-2"
                >
                  <p className="margin-y-05">
                    <strong>{l.kind}</strong> <code className="location">{l.location}</code>
                  </p>
                  <p className="margin-y-05 text-base-darker">{l.detail}</p>
                  <p className="margin-y-05">
                    <strong>How to clear it: </strong>
                    {l.howToClear}
                  </p>
                </li>
              ))}
            </ul>
          )}
          <div className="flow-next">
            <Button type="button" onClick={() => navigate('replace')}>
              Check protection
            </Button>
            <Button type="button" outline disabled={verify.running} onClick={() => void runVerify()}>
              Rescan
            </Button>
          </div>
        </>
      )}
    </>
  );
}
