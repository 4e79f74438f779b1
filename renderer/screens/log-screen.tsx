/**
 * Log: every event of the local journal, newest first, and whether its hash chain is intact (with
 * each problem at its line when it is not).
 */
import { useCallback, useEffect, useState } from 'react';
import { Button } from '@trussworks/react-uswds';
import type { ApiError, JournalView } from '../../core/api';
import { divest } from '../api';
import { EmptyState, ErrorAlert, Notice, ScreenHeading, formatTime } from '../components/common';

/** The Log screen. */
export function LogScreen() {
  const [view, setView] = useState<JournalView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(async () => {
    setLoading(true);
    const r = await divest().readJournal({ limit: 500 });
    setLoading(false);
    if (r.ok) {
      setView(r.value);
      setError(null);
    } else setError(r.error);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const report = view?.report;
  return (
    <>
      <ScreenHeading lead="Divest records everything it sees and does in a local, append-only journal. Each line carries the hash of the line before it, so any edit or deletion shows.">
        Log
      </ScreenHeading>
      {error ? <ErrorAlert error={error} onRetry={() => void load()} /> : null}
      {report ? (
        report.intact ? (
          <Notice type="success" title="Chain intact" role="status">
            <p className="margin-0">
              {report.length} events; head <code className="hash">{report.head?.hash ?? '—'}</code>
            </p>
          </Notice>
        ) : (
          <Notice type="error" title="Chain BROKEN" role="alert">
            <ul className="usa-list margin-0">
              {report.problems.map((p, i) => (
                <li key={i}>
                  Line {p.line}: {p.message}
                  {p.acknowledgedAt ? ` (recorded at line ${p.acknowledgedAt})` : ''}
                </li>
              ))}
            </ul>
          </Notice>
        )
      ) : null}
      <div className="flow-next">
        <Button type="button" onClick={() => void load()} disabled={loading}>
          {loading ? 'Checking…' : 'Check the chain again'}
        </Button>
      </div>
      {view ? (
        <p className="text-base-dark">
          Journal file: <code className="location">{view.file}</code>
        </p>
      ) : null}
      {view && view.events.length === 0 ? (
        <EmptyState title="Nothing recorded yet">
          <p>The journal starts with the first scan.</p>
        </EmptyState>
      ) : null}
      {view && view.events.length ? (
        <table className="usa-table usa-table--striped usa-table--compact log-table">
          <caption>
            {view.events.length < view.total
              ? `The newest ${view.events.length} of ${view.total} events`
              : `${view.total} events`}
            , newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">What happened</th>
            </tr>
          </thead>
          <tbody>
            {view.events.map((e) => (
              <tr key={e.line}>
                <td>{e.line}</td>
                <td className="text-no-wrap">{formatTime(e.at)}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td className="log-summary">{e.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
