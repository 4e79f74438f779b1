/**
 * Receipt: what the signed receipt will say (a preview from the journal), the export (signed JSON,
 * the printable HTML and a PDF, into the export folder), and the check of a receipt someone hands
 * you, offline. The file to check is read here, in the page, from the file the user picked; only
 * its text goes to the engine.
 */
import { useEffect, useState } from 'react';
import { Button, Checkbox, Fieldset } from '@trussworks/react-uswds';
import type { ApiError, ExportResult, ReceiptPreview } from '../../core/api';
import { divest } from '../api';
import { CopyButton, ErrorAlert, Notice, PathValue, ScreenHeading } from '../components/common';
import { OUTCOME_WORDS } from '../words';
import { useStore } from '../store';

function Preview({ preview }: { preview: ReceiptPreview }) {
  const r = preview.receipt;
  return (
    <section aria-labelledby="preview-heading" className="receipt-preview">
      <h2 id="preview-heading">What the receipt says</h2>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{r.kind === 'removal' ? 'Removal' : r.findingsBefore.length ? 'Scan' : 'Scan: nothing found'}</dd>
        <dt>Machine</dt>
        <dd>
          {r.host.hostname} ({r.host.os} {r.host.osVersion}, {r.host.arch}), machine id{' '}
          <code>{r.host.machineId}</code>
        </dd>
        <dt>Operator</dt>
        <dd>
          {r.operator.name ?? <em>not set</em>}
          {r.operator.organisation ? `, ${r.operator.organisation}` : ''}
        </dd>
        <dt>Directives</dt>
        <dd>{r.directives.map((d) => d.shortName).join(', ') || 'none'}</dd>
        <dt>Found before</dt>
        <dd>
          {r.findingsBefore.map((f) => `${f.name}${f.version ? ` ${f.version}` : ''}`).join('; ') ||
            'nothing'}
        </dd>
        <dt>Actions</dt>
        <dd>
          {r.actions.length ? (
            <ul className="usa-list margin-0">
              {r.actions.map((a, i) => (
                <li key={i}>
                  {a.title}: {OUTCOME_WORDS[a.outcome]}
                </li>
              ))}
            </ul>
          ) : (
            'none'
          )}
        </dd>
        <dt>After</dt>
        <dd>
          {r.after.findings.filter((f) => f.status === 'banned' && f.presence === 'installed').length} banned
          installed, {r.after.leftovers.length} leftovers
        </dd>
        <dt>Protection</dt>
        <dd>
          {r.replacement
            ? `${r.replacement.product}: ${r.replacement.state === 'active' ? 'active' : `UNPROTECTED (${r.replacement.state})`}`
            : 'not checked'}
        </dd>
        <dt>Journal</dt>
        <dd>
          {r.journal.length} events, {r.journal.intact ? 'intact' : 'DAMAGED'}, head{' '}
          <code className="hash">{r.journal.headHash}</code>
        </dd>
        <dt>Signing key</dt>
        <dd>
          <code className="hash">{preview.keyFingerprint}</code>
        </dd>
      </dl>
    </section>
  );
}

/** The Receipt screen. */
export function ReceiptScreen() {
  const { state, navigate, refreshInfo, refreshJournal } = useStore();
  const [preview, setPreview] = useState<ReceiptPreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [formats, setFormats] = useState({ html: true, pdf: true });
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<ExportResult | null>(null);
  const [exportError, setExportError] = useState<ApiError | null>(null);

  useEffect(() => {
    void divest()
      .previewReceipt({})
      .then((r) => {
        if (r.ok) setPreview(r.value);
        else setPreviewError(r.error);
      });
  }, [state.removal.value, state.scan.value, state.replacement.value, state.settings]);

  const doExport = async () => {
    setExporting(true);
    setExportError(null);
    const r = await divest().exportReceipt({
      formats: [
        'json',
        ...(formats.html ? (['html'] as const) : []),
        ...(formats.pdf ? (['pdf'] as const) : []),
      ],
    });
    setExporting(false);
    if (r.ok) {
      setExported(r.value);
      // The signing key exists now (About says so), and History lists the receipt.
      void refreshInfo();
      void refreshJournal();
    } else setExportError(r.error);
  };

  const [folderMessage, setFolderMessage] = useState<string | null>(null);
  const openFolder = async () => {
    const r = await divest().openFolder({ which: 'export-folder' });
    setFolderMessage(r.ok ? (r.value.opened ? null : r.value.message) : r.error.message);
  };
  const operatorMissing = preview && !preview.receipt.operator.name;
  return (
    <>
      <ScreenHeading lead="A signed receipt proves what Divest found and did here. An auditor checks it offline on another machine.">
        Receipt
      </ScreenHeading>
      {previewError ? (
        previewError.code === 'nothing-to-receipt' ? (
          <Notice type="info" title="Scan first">
            <p className="margin-0">The journal holds no scan yet: a receipt needs at least one.</p>
            <Button type="button" className="margin-top-1" onClick={() => navigate('scan')}>
              Go to Scan
            </Button>
          </Notice>
        ) : (
          <ErrorAlert error={previewError} />
        )
      ) : null}
      {operatorMissing ? (
        <Notice type="warning" title="No operator name" level="h2">
          <p className="margin-0">
            Receipts name who did the work. Set your name and organisation in{' '}
            <Button type="button" unstyled onClick={() => navigate('settings')}>
              Settings
            </Button>
            .
          </p>
        </Notice>
      ) : null}
      {preview ? <Preview preview={preview} /> : null}

      <section aria-labelledby="export-heading">
        <h2 id="export-heading">Export</h2>
        <Fieldset legend="Files to write" legendStyle="srOnly">
          <Checkbox
            id="format-json"
            name="format-json"
            label="Signed receipt (JSON), always written"
            checked
            disabled
          />
          <Checkbox
            id="format-html"
            name="format-html"
            label="Printable page (HTML)"
            checked={formats.html}
            onChange={(e) => setFormats((f) => ({ ...f, html: e.target.checked }))}
          />
          <Checkbox
            id="format-pdf"
            name="format-pdf"
            label="PDF"
            checked={formats.pdf}
            onChange={(e) => setFormats((f) => ({ ...f, pdf: e.target.checked }))}
          />
        </Fieldset>
        <Button
          type="button"
          className="margin-top-2"
          disabled={exporting || !preview}
          onClick={() => void doExport()}
        >
          {exporting ? 'Exporting…' : 'Export the receipt'}
        </Button>
        <div role="status" aria-live="polite">
          {exported ? (
            <Notice type="success" title="Receipt exported">
              <ul className="usa-list margin-0">
                <li>
                  JSON: <PathValue path={exported.files.json} />
                </li>
                {exported.files.html ? (
                  <li>
                    HTML: <PathValue path={exported.files.html} />
                  </li>
                ) : null}
                {exported.files.pdf ? (
                  <li>
                    PDF: <PathValue path={exported.files.pdf} />
                  </li>
                ) : null}
              </ul>
              <p>
                Give the auditor this fingerprint by another channel (phone, letter):{' '}
                <code className="hash">{exported.keyFingerprint}</code>{' '}
                <CopyButton text={exported.keyFingerprint} label="fingerprint" />
              </p>
              <div className="flow-next margin-bottom-0">
                <Button type="button" outline onClick={() => void openFolder()}>
                  Open the folder
                </Button>
                <Button type="button" outline onClick={() => window.print()}>
                  Print this page
                </Button>
              </div>
              {folderMessage ? <p role="status">{folderMessage}</p> : null}
              {!exported.journalIntact ? (
                <p>
                  <strong>The journal is damaged; the receipt says so.</strong>
                </p>
              ) : null}
            </Notice>
          ) : null}
        </div>
        {exportError ? <ErrorAlert error={exportError} /> : null}
      </section>

      <section aria-labelledby="check-heading">
        <h2 id="check-heading">Check a receipt</h2>
        <p>
          Someone gave you a receipt file?{' '}
          <Button type="button" unstyled onClick={() => navigate('audit')}>
            Check it on its own screen
          </Button>
          , offline.
        </p>
      </section>
    </>
  );
}
