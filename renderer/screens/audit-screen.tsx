/**
 * Check a receipt: the auditor's own place, usable first on a machine that never scanned. Two
 * verdicts, never merged: the Signature (valid or not; the key pinned by the fingerprint given,
 * or only self-asserted, said plainly) and What it attests (machine, operator and OS account,
 * when in local time and UTC, directives by name, what was found, each action and its outcome,
 * the state after, protection, journal integrity, catalog version). Both come from the engine
 * (core/receipt/verify, core/receipt/attest); the page only reads the chosen file's text.
 */
import { useEffect, useRef, useState } from 'react';
import { Button, Label, TextInput } from '@trussworks/react-uswds';
import type { ApiError, Attestation, ReceiptVerdict } from '../../core/api';
import { divest } from '../api';
import { CopyButton, ErrorAlert, Notice, ScreenHeading, formatTime } from '../components/common';
import { useStore } from '../store';

function SignatureVerdict({ v }: { v: ReceiptVerdict }) {
  const sig = v.signature;
  const ok = sig.valid && sig.trust !== 'other-key';
  const title = !sig.valid
    ? 'Signature: INVALID — do not trust this receipt'
    : sig.trust === 'pinned'
      ? 'Signature: valid, made with the key you expected'
      : sig.trust === 'other-key'
        ? 'Signature: valid, but NOT made with the key you expected'
        : 'Signature: valid, but the key is only self-asserted';
  return (
    <Notice
      type={
        !sig.valid || sig.trust === 'other-key'
          ? 'error'
          : ok && sig.trust === 'pinned'
            ? 'success'
            : 'warning'
      }
      title={title}
    >
      {sig.trust === 'self-asserted' && sig.valid ? (
        <p className="margin-0">
          The receipt names its own key, so the signature only proves the receipt was not changed after
          signing. To know who signed it, compare the fingerprint below with the one the operator gave you by
          another channel (phone, letter), or enter it above and check again.
        </p>
      ) : null}
      {v.fingerprint ? (
        <p className="margin-0">
          Key: <code className="hash">{v.fingerprint}</code>{' '}
          <CopyButton text={v.fingerprint} label="fingerprint" />
        </p>
      ) : null}
      {v.problems.length ? (
        <ul className="usa-list margin-0">
          {v.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
    </Notice>
  );
}

function Attests({ a, trusted }: { a: Attestation; trusted: boolean }) {
  return (
    <section aria-labelledby="attests-heading" className="attests">
      <h2 id="attests-heading">
        What it attests{trusted ? '' : ' (as written; the signature does not vouch for it)'}
      </h2>
      <Notice
        type={a.verdictState === 'removed' || a.verdictState === 'clean' ? 'success' : 'warning'}
        title={a.headline}
        level="h3"
      >
        {a.warnings.length ? (
          <ul className="usa-list margin-0">
            {a.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        ) : null}
      </Notice>
      <dl className="facts">
        <dt>Receipt</dt>
        <dd>
          {a.receiptId} ({a.kind === 'removal' ? 'removal' : 'scan'})
        </dd>
        <dt>Machine</dt>
        <dd>
          {a.machine.hostname} ({a.machine.os} {a.machine.osVersion}, {a.machine.arch}), machine id{' '}
          <code>{a.machine.machineId}</code>
        </dd>
        <dt>Operator</dt>
        <dd>
          {a.operator.name ?? 'not named'}
          {a.operator.organisation ? `, ${a.operator.organisation}` : ''}
          {a.operator.account ? `; ran as ${a.operator.account}` : ''}
        </dd>
        <dt>When</dt>
        <dd>
          {a.issued.local ? `${a.issued.local}${a.issued.timeZone ? ` (${a.issued.timeZone})` : ''}; ` : ''}
          {formatTime(a.issued.utc)}
        </dd>
        <dt>Directives</dt>
        <dd>{a.directives.length ? a.directives.join('; ') : 'none'}</dd>
        <dt>Found before</dt>
        <dd>
          {a.before.length
            ? a.before
                .map(
                  (f) =>
                    `${f.name}${f.version ? ` ${f.version}` : ''}${f.banned ? (f.installed ? ' (banned, installed)' : ' (banned, traces)') : ' (to review)'}`,
                )
                .join('; ')
            : 'nothing'}
        </dd>
        <dt>Actions</dt>
        <dd>
          {a.actions.length ? (
            <ul className="usa-list margin-0">
              {a.actions.map((x, i) => (
                <li key={i}>
                  {x.title}: {x.words}
                </li>
              ))}
            </ul>
          ) : (
            'none'
          )}
        </dd>
        <dt>After</dt>
        <dd>
          {a.after.stillInstalled.length
            ? `Still installed: ${a.after.stillInstalled.join(', ')}`
            : 'No banned software installed'}
          ; {a.after.leftovers} leftover{a.after.leftovers === 1 ? '' : 's'}
          {a.after.scanAt ? ` (scan of ${formatTime(a.after.scanAt)})` : ' (no scan after the removal)'}
        </dd>
        <dt>Protection</dt>
        <dd>
          {a.protection
            ? `${a.protection.product}: ${a.protection.state === 'active' ? 'active' : `UNPROTECTED (${a.protection.state})`}, checked ${formatTime(a.protection.checkedAt)}`
            : 'not checked'}
        </dd>
        <dt>Journal</dt>
        <dd>
          {a.journal.length} events, {a.journal.intact ? 'intact' : 'DAMAGED'}
        </dd>
        <dt>Catalog</dt>
        <dd>
          version {a.catalog.version}
          {a.catalog.channel ? `, ${a.catalog.channel}` : ''}
          {a.catalog.stale ? ' (stale)' : ''}
        </dd>
      </dl>
    </section>
  );
}

/** The Check a receipt screen. */
export function AuditScreen() {
  const { dispatch } = useStore();
  const [file, setFile] = useState<File | null>(null);
  const [fingerprint, setFingerprint] = useState('');
  const [verdict, setVerdict] = useState<ReceiptVerdict | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);
  const resultRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (verdict) resultRef.current?.focus();
  }, [verdict]);
  const check = async () => {
    if (!file) return;
    setChecking(true);
    setError(null);
    setVerdict(null);
    const r = await divest().verifyReceipt({
      text: await file.text(),
      fileName: file.name,
      ...(fingerprint.trim() ? { fingerprint: fingerprint.trim() } : {}),
    });
    setChecking(false);
    if (r.ok) {
      setVerdict(r.value);
      dispatch({
        type: 'announce',
        text: `Receipt checked. Signature ${r.value.signature.valid ? 'valid' : 'INVALID'}${r.value.attests ? `. ${r.value.attests.headline}` : '.'}`,
      });
    } else setError(r.error);
  };
  return (
    <>
      <ScreenHeading lead="Someone gave you a receipt? Check here, offline, who signed it and what it says. Nothing on this machine needs to have been scanned.">
        Check a receipt
      </ScreenHeading>
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
      <Label
        htmlFor="expected-fingerprint"
        hint=" (the one the operator gave you; without it the key is only self-asserted)"
      >
        Expected key fingerprint
      </Label>
      <TextInput
        id="expected-fingerprint"
        name="expected-fingerprint"
        type="text"
        value={fingerprint}
        onChange={(e) => setFingerprint(e.target.value)}
      />
      <div className="control-with-reason margin-top-2">
        <Button
          type="button"
          disabled={!file || checking}
          aria-describedby={!file ? 'check-reason' : undefined}
          onClick={() => void check()}
        >
          {checking ? 'Checking…' : 'Check the receipt'}
        </Button>
        {!file ? (
          <p id="check-reason" className="control-reason">
            Choose the receipt file first.
          </p>
        ) : null}
      </div>
      {error ? <ErrorAlert error={error} /> : null}
      {verdict ? (
        <section aria-labelledby="verdict-heading">
          <h2 id="verdict-heading" ref={resultRef} tabIndex={-1}>
            {verdict.valid ? 'VALID' : 'INVALID'}: {file?.name ?? 'the receipt'}
          </h2>
          <SignatureVerdict v={verdict} />
          {verdict.attests ? <Attests a={verdict.attests} trusted={verdict.signature.valid} /> : null}
        </section>
      ) : null}
    </>
  );
}
