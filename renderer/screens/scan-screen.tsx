/**
 * Scan: one button, live progress, and a summary that leads to the findings.
 */
import { Button } from '@trussworks/react-uswds';
import type { ScanResult } from '../../core/api';
import { ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { RightsNotice } from '../components/rights-notice';
import { useStore } from '../store';

/** Counts of what a scan found. */
export function scanCounts(r: ScanResult): { installed: number; traces: number; review: number } {
  return {
    installed: r.findings.filter((f) => f.status === 'banned' && f.presence === 'installed').length,
    traces: r.findings.filter((f) => f.status === 'banned' && f.presence === 'traces').length,
    review: r.findings.filter((f) => f.status === 'review').length,
  };
}

/** The Scan screen. */
export function ScanScreen() {
  const { state, runScan, navigate } = useStore();
  const { scan, scanProgress, info } = state;
  const target = info.value?.hostRoot
    ? `the ${info.value.os} image at ${info.value.hostRoot}`
    : info.value
      ? `this machine (${info.value.hostname})`
      : 'this machine';
  const result = scan.value;
  const counts = result ? scanCounts(result) : null;
  return (
    <>
      <ScreenHeading
        lead={`Divest looks for banned security software on ${target}, using the built-in catalog of products and directives. Nothing is changed by a scan.`}
      >
        Scan
      </ScreenHeading>
      <RightsNotice />
      <Button
        type="button"
        size="big"
        onClick={() => void runScan()}
        disabled={scan.running}
        aria-describedby="scan-status"
      >
        {scan.running ? 'Scanning…' : result ? 'Scan again' : 'Scan'}
      </Button>
      <div id="scan-status" role="status" aria-live="polite" className="margin-top-2">
        {scan.running ? (
          <div className="scan-progress">
            <span className="usa-spinner" aria-hidden="true" />
            <span>{scanProgress?.message ?? 'Starting the scan…'}</span>
            {scanProgress ? (
              <span className="text-base">
                {' '}
                ({(scanProgress.elapsedMs / 1000).toFixed(1)} s, {scanProgress.spawns} processes started)
              </span>
            ) : null}
          </div>
        ) : null}
      </div>
      {scan.error ? (
        <ErrorAlert error={scan.error} onRetry={() => void runScan()} retryLabel="Scan again" />
      ) : null}
      {result && counts && !scan.running ? (
        <>
          {counts.installed > 0 ? (
            <Notice
              type="error"
              title={`${counts.installed} banned product${counts.installed === 1 ? ' is' : 's are'} installed`}
            >
              <p className="margin-0">
                Each finding shows why Divest believes it is there and which directives ban it. Review them,
                then make the removal plan.
              </p>
            </Notice>
          ) : result.findings.length === 0 ? (
            <Notice type="success" title="Nothing from the catalog was found">
              <p className="margin-0">
                No banned or reviewable product was found. You can export a signed receipt of this clean scan.
              </p>
            </Notice>
          ) : (
            <Notice type="warning" title="No banned product is installed, but there is something to look at">
              <p className="margin-0">
                {counts.traces} with traces left behind, {counts.review} to review.
              </p>
            </Notice>
          )}
          <ul className="usa-list">
            <li>Banned and installed: {counts.installed}</li>
            <li>Banned, only traces left: {counts.traces}</li>
            <li>Not banned, to review: {counts.review}</li>
            <li>
              Took {(result.durationMs / 1000).toFixed(1)} s, {result.spawns} processes; catalog{' '}
              {result.catalog.version}
            </li>
          </ul>
          {result.notes.length ? (
            <>
              <h2>What this scan could not see</h2>
              <ul className="usa-list">
                {result.notes.map((n, i) => (
                  <li key={i}>
                    {n.level === 'warning' ? <strong>Warning: </strong> : null}
                    {n.message}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <div className="flow-next">
            {result.findings.length ? (
              <Button type="button" onClick={() => navigate('findings')}>
                Review the findings
              </Button>
            ) : (
              <Button type="button" onClick={() => navigate('receipt')}>
                Export a receipt
              </Button>
            )}
            <Button type="button" outline onClick={() => navigate('directives')}>
              Read the directives
            </Button>
          </div>
        </>
      ) : null}
    </>
  );
}
