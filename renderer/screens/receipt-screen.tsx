/**
 * Receipt: what the signed receipt will say (a preview from the journal), the export (signed JSON,
 * the printable HTML and a PDF, into the export folder), and the check of a receipt someone hands
 * you, offline. The file to check is read here, in the page, from the file the user picked; only
 * its text goes to the engine.
 */
import { useEffect, useState } from 'react';
import { Button, Checkbox, Fieldset, Label, TextInput } from '@trussworks/react-uswds';
import type { ApiError, ExportResult, ReceiptPreview, ReceiptVerdict } from '../../core/api';
import { divest } from '../api';
import { ErrorAlert, Notice, ScreenHeading, formatTime } from '../components/common';
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
        <dd>{r.actions.length ? r.actions.map((a) => `${a.stepId} ${a.outcome}`).join('; ') : 'none'}</dd>
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
  const { state, navigate } = useStore();
  const [preview, setPreview] = useState<ReceiptPreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [formats, setFormats] = useState({ html: true, pdf: true });
  const [exporting, setExporting] = useState(false);
  const [exported, setExported] = useState<ExportResult | null>(null);
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fingerprint, setFingerprint] = useState('');
  const [verdict, setVerdict] = useState<ReceiptVerdict | null>(null);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);

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
    if (r.ok) setExported(r.value);
    else setExportError(r.error);
  };

  const doVerify = async () => {
    if (!file) return;
    setChecking(true);
    setVerifyError(null);
    setVerdict(null);
    const text = await file.text();
    const r = await divest().verifyReceipt({
      text,
      fileName: file.name,
      ...(fingerprint.trim() ? { fingerprint: fingerprint.trim() } : {}),
    });
    setChecking(false);
    if (r.ok) setVerdict(r.value);
    else setVerifyError(r.error);
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
                  JSON: <code className="location">{exported.files.json}</code>
                </li>
                {exported.files.html ? (
                  <li>
                    HTML: <code className="location">{exported.files.html}</code>
                  </li>
                ) : null}
                {exported.files.pdf ? (
                  <li>
                    PDF: <code className="location">{exported.files.pdf}</code>
                  </li>
                ) : null}
              </ul>
              <p>
                Give the auditor this fingerprint by another channel (phone, letter):{' '}
                <code className="hash">{exported.keyFingerprint}</code>
              </p>
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
        <p>Someone gave you a receipt file? Check its signature and structure here, offline.</p>
        <Label htmlFor="receipt-file">Receipt file (JSON)</Label>
        <input
          id="receipt-file"
          name="receipt-file"
          className="usa-file-input__input receipt-file"
          type="file"
          accept=".json,application/json"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setVerdict(null);
          }}
        />
        <Label htmlFor="expected-fingerprint" hint=" (optional: the one the operator gave you)">
          Expected key fingerprint
        </Label>
        <TextInput
          id="expected-fingerprint"
          name="expected-fingerprint"
          type="text"
          value={fingerprint}
          onChange={(e) => setFingerprint(e.target.value)}
        />
        <Button
          type="button"
          className="margin-top-2"
          disabled={!file || checking}
          onClick={() => void doVerify()}
        >
          {checking ? 'Checking…' : 'Check the receipt'}
        </Button>
        <div role="status" aria-live="polite">
          {verdict ? (
            verdict.valid ? (
              <Notice type="success" title="VALID: the receipt is intact and signed">
                {verdict.attests ? (
                  <p className="margin-0">
                    Receipt {verdict.attests.receiptId} ({verdict.attests.kind}), issued{' '}
                    {formatTime(verdict.attests.issued.utc)} for {verdict.attests.machine.hostname} (
                    {verdict.attests.machine.os}): {verdict.attests.headline}
                  </p>
                ) : null}
                <p>
                  Signed by key <code className="hash">{verdict.fingerprint}</code>.{' '}
                  {fingerprint.trim()
                    ? 'It is the key you expected.'
                    : 'Compare it with the fingerprint the operator gave you.'}
                </p>
              </Notice>
            ) : (
              <Notice type="error" title="INVALID: do not trust this receipt">
                <ul className="usa-list margin-0">
                  {verdict.problems.map((p, i) => (
                    <li key={i}>{p}</li>
                  ))}
                </ul>
              </Notice>
            )
          ) : null}
        </div>
        {verifyError ? <ErrorAlert error={verifyError} /> : null}
      </section>
    </>
  );
}
