/**
 * `divest receipt export` and `divest receipt verify`.
 */
import * as z from 'zod';
import { attestationOf } from '../core/receipt/attest';
import { verifyReceipt } from '../core/receipt/verify';
import { formatAttestation, formatSignature } from './receipt-verify-format';
import { MiB, readRegularFileSync } from '../core/fs/read-file';
import { exportReceipt } from '../core/usecases/receipt';
import { COMMON_FLAGS, CommonOptions, UsageError, parseCommand } from './args';
import { makeWorkspace } from './context';

const HELP = `divest receipt export --out FILE.json [--html FILE.html] [--operator NAME] [--organisation NAME] [--data-dir DIR]
divest receipt verify FILE.json [--fingerprint SHA256:...] [--json]

export  Writes the signed receipt of the latest removal session (or of the latest scan, on a machine
        where nothing was removed; a scan is made first if there is none). Exit 0, or 1 on failure.
verify  Checks a receipt's structure and signature, offline. With --fingerprint, also that it was
        signed by that key (compare with the fingerprint the operator gave you). Exit 0 valid, 1 invalid.
`;

async function runExport(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { options, help } = parseCommand(
    'receipt export',
    argv,
    {
      ...COMMON_FLAGS,
      out: { type: 'string' },
      html: { type: 'string' },
      operator: { type: 'string' },
      organisation: { type: 'string' },
    },
    CommonOptions.extend({
      out: z
        .string({ error: 'receipt export needs --out FILE.json' })
        .min(1, 'receipt export needs --out FILE.json'),
      html: z.string().min(1).optional(),
      operator: z.string().max(200).optional(),
      organisation: z.string().max(200).optional(),
    }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  const exported = await exportReceipt(ws, {
    operator: { name: options.operator, organisation: options.organisation },
    destination: { kind: 'files', json: options.out, ...(options.html ? { html: options.html } : {}) },
  });
  const { receipt } = exported;
  if (exported.scannedFirst) err.write('No scan was in the journal: Divest scanned first.\n');
  out.write(
    `Receipt ${receipt.id} (${receipt.kind === 'scan' ? (receipt.findingsBefore.length ? 'scan' : 'scanned, nothing found') : 'removal'}) written to ${options.out}${options.html ? ` and ${options.html}` : ''}.\n` +
      `Signing key fingerprint: ${receipt.signature.keyFingerprint}\n` +
      'Give the auditor this fingerprint by another channel; they check the file with "divest receipt verify FILE.json --fingerprint <it>".\n' +
      (exported.journalIntact
        ? ''
        : 'WARNING: the journal is damaged; the receipt says so (journal.intact: false). Run "divest log verify".\n'),
  );
  return 0;
}

async function runVerify(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { options, positionals, help } = parseCommand(
    'receipt verify',
    argv,
    { json: { type: 'boolean' }, fingerprint: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    z.object({ json: z.boolean().default(false), fingerprint: z.string().min(1).optional() }),
    { min: 1, max: 1, names: 'one receipt file' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const file = positionals[0] ?? '';
  let text: string;
  try {
    text = readRegularFileSync(file, { maxBytes: 20 * MiB, what: 'receipt file' }).toString('utf8');
  } catch (e) {
    const msg = `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`;
    out.write(options.json ? `${JSON.stringify({ valid: false, problems: [msg] })}\n` : `INVALID: ${msg}\n`);
    return 1;
  }
  const v = verifyReceipt(text, options.fingerprint ? { expectedFingerprint: options.fingerprint } : {});
  const attests = v.receipt ? attestationOf(v.receipt) : null;
  if (options.json) {
    out.write(
      `${JSON.stringify(
        {
          schema: 'divest.receipt-verification/1',
          file,
          valid: v.valid,
          signature: v.signature,
          problems: v.problems,
          fingerprint: v.fingerprint ?? null,
          receiptId: v.receipt?.id ?? null,
          attests,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = formatSignature(v, file);
    if (attests) lines.push('', ...formatAttestation(attests));
    out.write(`${lines.join('\n')}\n`);
  }
  return v.valid ? 0 : 1;
}

/** Runs `divest receipt ...`. */
export async function runReceipt(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'export') return runExport(rest, out, err);
  if (sub === 'verify') return runVerify(rest, out);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`receipt: unknown subcommand "${sub}" (export or verify)`);
}
