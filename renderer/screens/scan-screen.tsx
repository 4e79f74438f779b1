/**
 * Scan: the unfinished removal first (if the journal has one), one button, determinate progress
 * (parts of the scan done of total), and a summary that names what was found and leads on, with
 * the details one click away. Focus stays on the button while it scans (it is marked busy, not
 * removed from the tab order) and moves to the result's heading when the scan is done.
 */
import { useEffect, useRef } from 'react';
import { Button } from '@trussworks/react-uswds';
import { ErrorAlert, Notice, ScreenHeading } from '../components/common';
import { ResumeBanner } from '../components/resume-banner';
import { RightsNotice } from '../components/rights-notice';
import { useStore } from '../store';
import { duration, scanCounts, scanHeadline } from '../words';

export { scanCounts } from '../words';

/** The Scan screen. */
export function ScanScreen() {
  const { state, runScan, navigate } = useStore();
  const { scan, scanProgress, info, removal } = state;
  const resultRef = useRef<HTMLHeadingElement>(null);
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !scan.running) resultRef.current?.focus();
    wasRunning.current = scan.running;
  }, [scan.running]);
  const target = info.value?.hostRoot
    ? `the ${info.value.os} image at ${info.value.hostRoot}`
    : info.value
      ? `this machine (${info.value.hostname})`
      : 'this machine';
  const result = scan.value;
  const counts = result ? scanCounts(result) : null;
  const blockedBy = removal.running ? 'A removal is running: scan again when it has finished.' : null;
  const busy = scan.running || blockedBy !== null;
  return (
    <>
      <ScreenHeading
        lead={`Divest looks for banned security software on ${target}, using the built-in catalog of products and directives. Nothing is changed by a scan.`}
      >
        Scan
      </ScreenHeading>
      <ResumeBanner />
      <RightsNotice />
      <div className="control-with-reason">
        <Button
          type="button"
          size="big"
          onClick={() => {
            if (!busy) void runScan();
          }}
          aria-disabled={busy}
          className={busy ? 'is-disabled' : undefined}
          aria-describedby={blockedBy ? 'scan-blocked' : 'scan-progress'}
        >
          {scan.running ? 'Scanning…' : scan.error ? 'Try the scan again' : result ? 'Scan again' : 'Scan'}
        </Button>
        {blockedBy ? (
          <p id="scan-blocked" className="control-reason">
            {blockedBy}
          </p>
        ) : null}
      </div>
      <div id="scan-progress" className="margin-top-2">
        {scan.running ? (
          <div className="determinate">
            <label htmlFor="scan-progress-bar" className="determinate__label">
              {scanProgress
                ? `Scanning: ${scanProgress.done} of ${scanProgress.total} parts done`
                : 'Starting the scan'}
            </label>
            <progress id="scan-progress-bar" max={scanProgress?.total ?? 4} value={scanProgress?.done ?? 0} />
            <p className="text-base margin-top-05 margin-bottom-0">
              {scanProgress ? `${scanProgress.message} (${duration(scanProgress.elapsedMs)})` : ''}
            </p>
          </div>
        ) : null}
      </div>
      {scan.error ? <ErrorAlert error={scan.error} /> : null}
      {result && counts && !scan.running ? (
        <>
          <Notice
            type={counts.installed > 0 ? 'error' : result.findings.length === 0 ? 'success' : 'warning'}
            title={
              <span ref={resultRef} tabIndex={-1} className="result-heading">
                {scanHeadline(result)}
              </span>
            }
          >
            <p className="margin-0">
              {counts.installed > 0
                ? 'Make the removal plan next; each finding shows why Divest believes it is there and which directives ban it.'
                : result.findings.length === 0
                  ? 'No banned or reviewable product was found. You can export a signed receipt of this scan.'
                  : `${counts.traces} with traces left behind, ${counts.review} to review.`}
            </p>
          </Notice>
          <div className="flow-next">
            {counts.installed > 0 ? (
              <Button type="button" onClick={() => navigate('plan')}>
                Make the removal plan
              </Button>
            ) : null}
            {result.findings.length ? (
              <Button type="button" outline={counts.installed > 0} onClick={() => navigate('findings')}>
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
          {result.notes.length ? (
            <Notice type="info" title="What this scan could not see" level="h2">
              <ul className="usa-list margin-0">
                {result.notes.map((n, i) => (
                  <li key={i}>
                    {n.level === 'warning' ? <strong>Warning: </strong> : null}
                    {n.message}
                  </li>
                ))}
              </ul>
            </Notice>
          ) : null}
          <details className="details">
            <summary>Scan details</summary>
            <ul className="usa-list">
              <li>Banned and installed: {counts.installed}</li>
              <li>Banned, only traces left: {counts.traces}</li>
              <li>Not banned, to review: {counts.review}</li>
              <li>
                Took {(result.durationMs / 1000).toFixed(1)} s and started {result.spawns} processes; catalog
                version {result.catalog.version}
              </li>
            </ul>
          </details>
        </>
      ) : null}
    </>
  );
}
