/**
 * Findings: each product found, why Divest believes it is there (the evidence, exactly where an
 * auditor can look), and the directives that cover it, one click from their full text.
 */
import { Button, Tag } from '@trussworks/react-uswds';
import type { Finding } from '../../core/api';
import { EmptyState, PathValue, ScreenHeading, Sourced } from '../components/common';
import { FindingDirectives } from '../components/jurisdiction-setting';
import { useStore } from '../store';

const EVIDENCE_WORDS: Record<Finding['evidence'][number]['kind'], string> = {
  'registry-uninstall': 'Registered program (Uninstall key)',
  'vendor-key': 'Vendor registry key',
  package: 'Installed package',
  service: 'Service',
  driver: 'Kernel driver',
  file: 'File or folder',
  'app-bundle': 'Application bundle',
  'pkg-receipt': 'Installer receipt',
  launchd: 'launchd job',
  'system-extension': 'System extension',
  process: 'Running process',
  'security-center': 'Windows Security Center registration',
};

function FindingCard({ finding }: { finding: Finding }) {
  const { state } = useStore();
  const catalog = state.catalog.value;
  const product = catalog?.products.find((p) => p.id === finding.productId);
  const headingId = `finding-${finding.id.replace(/[^a-z0-9-]/g, '-')}`;
  return (
    <li className="usa-card finding-card" aria-labelledby={headingId}>
      <div className="usa-card__container">
        <div className="usa-card__header">
          <h3 className="usa-card__heading" id={headingId}>
            {finding.name}
            {finding.version ? <span className="text-normal"> {finding.version}</span> : null}
          </h3>
          <p className="margin-y-05">
            {finding.status === 'banned' ? (
              <Tag className="bg-secondary-dark">Banned</Tag>
            ) : (
              <Tag className="bg-base-dark">Review</Tag>
            )}{' '}
            <Tag className="bg-base-lighter text-ink">
              {finding.presence === 'installed' ? 'Installed' : 'Traces only'}
            </Tag>{' '}
            <span className="text-base-dark">{finding.vendor}</span>
          </p>
        </div>
        <div className="usa-card__body">
          <p className="finding-todo">
            {finding.status === 'banned'
              ? finding.presence === 'installed'
                ? 'What to do: remove it with the removal plan.'
                : 'What to do: clear the traces listed under Verify after the removal plan.'
              : 'What to do: an administrator reviews it and decides; Divest does not remove it.'}
          </p>
          <details className="details">
            <summary>Why it is banned, and the evidence ({finding.evidence.length})</summary>
            {product ? (
              <p>
                <Sourced fact={product.statusReason} />
              </p>
            ) : null}
            <h4 className="font-sans-sm">Why Divest believes it is there</h4>
            <table className="usa-table usa-table--borderless usa-table--compact usa-table--stacked evidence-table">
              <caption className="usa-sr-only">Evidence for {finding.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Evidence</th>
                  <th scope="col">Where</th>
                  <th scope="col">What was seen</th>
                </tr>
              </thead>
              <tbody>
                {finding.evidence.map((e, i) => (
                  <tr key={i}>
                    <td data-label="Evidence">{EVIDENCE_WORDS[e.kind]}</td>
                    <td className="evidence-where" data-label="Where">
                      <PathValue path={e.location} label="location" />
                    </td>
                    <td data-label="What was seen">{e.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
          <FindingDirectives ids={finding.directives} banned={finding.status === 'banned'} />
        </div>
      </div>
    </li>
  );
}

/** The Findings screen. */
export function FindingsScreen() {
  const { state, navigate } = useStore();
  const result = state.scan.value;
  if (!result)
    return (
      <>
        <ScreenHeading>Findings</ScreenHeading>
        <EmptyState title="No scan yet" action="Go to Scan" onAction={() => navigate('scan')}>
          <p>
            Scan this machine first; every finding will show its evidence and the directives that cover it.
          </p>
        </EmptyState>
      </>
    );
  const banned = result.findings.filter((f) => f.status === 'banned');
  const review = result.findings.filter((f) => f.status === 'review');
  return (
    <>
      <ScreenHeading
        lead={`${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} in the scan of ${result.hostRoot ?? result.host.hostname} at ${result.startedAt.slice(11, 19)} UTC.`}
      >
        Findings
      </ScreenHeading>
      {result.findings.length === 0 ? (
        <EmptyState title="Nothing found" action="Export a receipt" onAction={() => navigate('receipt')}>
          <p>No product of the catalog was found. A signed receipt of the clean scan is the proof.</p>
        </EmptyState>
      ) : (
        <>
          <div className="flow-next">
            {banned.some((f) => f.presence === 'installed') ? (
              <Button type="button" onClick={() => navigate('plan')}>
                Make the removal plan
              </Button>
            ) : null}
            <Button type="button" outline onClick={() => navigate('directives')}>
              Directive library
            </Button>
          </div>
          {banned.length ? (
            <section aria-labelledby="banned-heading">
              <h2 id="banned-heading">Banned software</h2>
              <ul className="usa-card-group findings">
                {banned.map((f) => (
                  <FindingCard key={f.id} finding={f} />
                ))}
              </ul>
            </section>
          ) : null}
          {review.length ? (
            <section aria-labelledby="review-heading">
              <h2 id="review-heading">To review (not banned)</h2>
              <ul className="usa-card-group findings">
                {review.map((f) => (
                  <FindingCard key={f.id} finding={f} />
                ))}
              </ul>
            </section>
          ) : null}
        </>
      )}
    </>
  );
}
