/**
 * History: past removal sessions and exported receipts, read from the journal (so they survive a
 * restart of the app), newest first, with the receipts' paths to copy and their folder to open.
 */
import { useEffect, useState } from 'react';
import { Button } from '@trussworks/react-uswds';
import type { SessionView } from '../../core/api';
import { divest } from '../api';
import {
  CopyButton,
  EmptyState,
  ErrorAlert,
  PathValue,
  ScreenHeading,
  formatTime,
} from '../components/common';
import { useStore } from '../store';

const STATUS_WORDS: Record<SessionView['status'], string> = {
  completed: 'Finished',
  'reboot-pending': 'Waiting for a restart',
  failed: 'Failed',
  cancelled: 'Stopped by the operator',
  incomplete: 'Waiting for a step done by hand',
  open: 'Did not finish (interrupted)',
  abandoned: 'Set aside for a new plan',
};

/** The History screen. */
export function HistoryScreen() {
  const { state, refreshJournal, navigate } = useStore();
  const [folderMessage, setFolderMessage] = useState<string | null>(null);
  useEffect(() => {
    void refreshJournal();
    // Once on arrival: the journal may have grown since launch.
  }, []);
  const h = state.history.value;
  return (
    <>
      <ScreenHeading lead="What Divest did on this machine, from its log: removal sessions and the receipts exported.">
        History
      </ScreenHeading>
      {state.history.error ? <ErrorAlert error={state.history.error} /> : null}
      {h && h.sessions.length === 0 && h.receipts.length === 0 ? (
        <EmptyState title="Nothing yet" action="Go to Scan" onAction={() => navigate('scan')}>
          <p>
            {h.scans
              ? `${h.scans} scan${h.scans === 1 ? '' : 's'} so far (the last ${formatTime(h.lastScanAt ?? '')}); no removal and no receipt yet.`
              : 'No scan, removal or receipt yet.'}
          </p>
        </EmptyState>
      ) : null}
      {h && h.sessions.length ? (
        <section aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Removal sessions</h2>
          <ul className="usa-list usa-list--unstyled history-list">
            {h.sessions.map((s) => (
              <li key={`${s.planId}-${s.startedAt}`} className="history-item">
                <h3 className="margin-bottom-05">
                  {s.products.join(', ')}: {STATUS_WORDS[s.status]}
                </h3>
                <p className="margin-top-0">
                  Started {formatTime(s.startedAt)}
                  {s.endedAt ? `, ended ${formatTime(s.endedAt)}` : ''}; {s.steps} step
                  {s.steps === 1 ? '' : 's'}.
                </p>
                {s.results.length ? (
                  <details className="details">
                    <summary>Each step</summary>
                    <ul className="usa-list">
                      {s.results.map((r, i) => (
                        <li key={i}>
                          {r.title}: {r.outcome}
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {h && h.receipts.length ? (
        <section aria-labelledby="receipts-heading">
          <h2 id="receipts-heading">Receipts exported</h2>
          <ul className="usa-list usa-list--unstyled history-list">
            {h.receipts.map((r) => (
              <li key={`${r.receiptId}-${r.at}`} className="history-item">
                <h3 className="margin-bottom-05">
                  {r.kind === 'removal' ? 'Removal receipt' : 'Scan receipt'}, {formatTime(r.at)}
                </h3>
                <p className="margin-y-05">
                  <PathValue path={r.file} />
                </p>
                <p className="margin-y-05">
                  Key <code className="hash">{r.keyFingerprint}</code>{' '}
                  <CopyButton text={r.keyFingerprint} label="fingerprint" />
                </p>
              </li>
            ))}
          </ul>
          <Button
            type="button"
            outline
            onClick={() =>
              void divest()
                .openFolder({ which: 'export-folder' })
                .then((x) =>
                  setFolderMessage(x.ok ? (x.value.opened ? null : x.value.message) : x.error.message),
                )
            }
          >
            Open the receipts folder
          </Button>
          {folderMessage ? <p role="status">{folderMessage}</p> : null}
        </section>
      ) : null}
    </>
  );
}
