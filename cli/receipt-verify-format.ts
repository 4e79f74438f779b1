/**
 * `divest receipt verify`'s words: the signature's verdict and what the receipt attests, as two
 * answers. Every value from the file is printed through `safe`/`field` (no control character from
 * a receipt reaches the terminal).
 */
import type { Attestation } from '../core/model/attestation';
import type { ReceiptVerification } from '../core/receipt/verify';
import { field, safe } from './safe-output';

function grouped(fp: string): string {
  return `SHA256:${fp
    .replace(/^SHA256:/, '')
    .replace(/(.{8})/g, '$1 ')
    .trim()}`;
}

/** The signature half. */
export function formatSignature(v: ReceiptVerification, file: string): string[] {
  const fp = v.signature.fingerprint;
  if (!v.signature.valid || v.signature.trust === 'other-key')
    return [safe`SIGNATURE: INVALID (${file})`, ...v.problems.map((p) => `  - ${field(p)}`)];
  const lines = [safe`SIGNATURE: VALID (${file}): the content is exactly what the key signed.`];
  if (v.signature.trust === 'pinned') lines.push(safe`  Key: ${fp ?? ''} — PINNED: the key you expected.`);
  else
    lines.push(
      safe`  Key: ${fp ?? ''} — only SELF-ASSERTED: the file brings its own key, so anyone could have made it.`,
      safe`  Read aloud: ${grouped(fp ?? '')}`,
      '  Compare this fingerprint with the one the operator gave you by another channel,',
      '  or check with: divest receipt verify FILE --fingerprint SHA256:...',
    );
  for (const p of v.problems) lines.push(`  - ${field(p)}`);
  return lines;
}

/** The "what it attests" half. */
export function formatAttestation(a: Attestation): string[] {
  const lines = [safe`WHAT IT ATTESTS (receipt ${a.receiptId}, ${a.schema}):`, safe`  ${a.headline}`];
  const row = (k: string, v: string): void => void lines.push(`  ${k.padEnd(12)}${v}`);
  const m = a.machine;
  row('Machine', safe`${m.hostname} (${m.os} ${m.osVersion}, ${m.arch}), machine id ${m.machineId}`);
  const who = [a.operator.name, a.operator.organisation]
    .filter((x): x is string => !!x)
    .map(field)
    .join(', ');
  row(
    'Operator',
    `${who || 'not stated'}${a.operator.account ? safe`; OS account ${a.operator.account}` : ''}`,
  );
  row(
    'Issued',
    safe`${a.issued.utc}${a.issued.local ? ` (local ${a.issued.local}, ${a.issued.timeZone ?? 'unknown zone'})` : ''}`,
  );
  row('Directives', a.directives.length ? a.directives.map(field).join('; ') : 'none recorded');
  row(
    'Before',
    a.before.length
      ? a.before
          .map(
            (b) =>
              safe`${b.name}${b.version ? ` ${b.version}` : ''} (${b.banned ? 'banned' : 'to review'}, ${b.installed ? 'installed' : 'traces'})`,
          )
          .join('; ')
      : 'nothing found',
  );
  if (a.actions.length)
    a.actions.forEach((x, i) =>
      row(
        i === 0 ? 'Actions' : '',
        safe`${i + 1}. ${x.title}: ${x.words}${x.exitCode !== null ? ` (exit ${x.exitCode})` : ''}`,
      ),
    );
  else row('Actions', 'none');
  row(
    'After',
    safe`${a.after.scanAt ? `scan at ${a.after.scanAt}; ` : ''}${a.after.stillInstalled.length ? `still installed: ${a.after.stillInstalled.join(', ')}` : 'no banned software installed'}; ${a.after.leftovers} leftover(s)`,
  );
  row(
    'Protection',
    a.protection
      ? safe`${a.protection.product}: ${a.protection.state} (checked ${a.protection.checkedAt})`
      : 'not checked',
  );
  row(
    'Journal',
    safe`${a.journal.intact ? 'intact' : 'DAMAGED'}, ${a.journal.length} lines, head ${a.journal.headHash}`,
  );
  row(
    'Catalog',
    safe`${a.catalog.version} (sha256 ${a.catalog.sha256})${a.catalog.channel ? `, ${a.catalog.channel} #${a.catalog.sequence ?? '?'}` : ''}${a.catalog.stale ? ', STALE' : ''}`,
  );
  if (a.warnings.length) {
    lines.push('  WARNINGS:');
    for (const w of a.warnings) lines.push(`    ! ${field(w)}`);
  }
  return lines;
}
