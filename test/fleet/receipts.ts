/**
 * Signed receipts for report tests and the report benchmark: built and signed by the real code
 * (buildReceipt, signReceipt, keys in data folders), with findings from the Windows fixtures'
 * real matcher output, so they look like what machines send.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrCreateSigningKey, type SigningKey } from '../../core/receipt/keys';
import { buildReceipt, serializeReceipt, signReceipt, type ReceiptInput } from '../../core/receipt/sign';
import type { AnyReceipt, Receipt, ReceiptV1 } from '../../core/model/receipt';
import type { Verdict } from '../../core/model/verdict';
import { sign } from 'node:crypto';
import { signingBytes } from '../../core/receipt/sign';
import type { Finding } from '../../core/model/scan';
import { catalog, windowsScan } from '../fixtures/removal';

export { catalog };

/** The findings of the Windows fixture machine (KES, Network Agent, Total Security...). */
export const FIXTURE_FINDINGS: Finding[] = windowsScan().findings;

export interface ReceiptSpec {
  machineId: string;
  hostname?: string;
  issuedAt?: string;
  /** `clean` (nothing found), `banned` (a scan that found banned software), `removed`,
   * `restart-pending`, `needs-credential`, `failed` (a removal and how it ended). */
  story?: 'clean' | 'banned' | 'removed' | 'restart-pending' | 'needs-credential' | 'failed';
  protectedBy?: 'active' | 'not-installed' | null;
  journalIntact?: boolean;
  catalogVersion?: string;
  /** 2 (default): a `divest.receipt/2` with its verdict; 1: a first-version receipt (no verdict). */
  schema?: 1 | 2;
}

const KES = (): Finding => {
  const f = FIXTURE_FINDINGS.find((x) => x.productId === 'kaspersky-endpoint-security-windows');
  if (!f) throw new Error('the fixture machine has no KES finding');
  return f;
};

function action(
  outcome: 'removed' | 'reboot-required' | 'failed',
  exitCode: number,
  at: string,
): ReceiptInput['actions'][number] {
  const f = KES();
  return {
    stepId: 's1',
    productId: f.productId,
    findingId: f.id,
    title: `Remove ${f.name}`,
    method: 'msi',
    argv: ['C:\\Windows\\System32\\msiexec.exe', '/x', f.removalHints.msiProductCodes[0] ?? '{X}', '/qn'],
    startedAt: at,
    finishedAt: at,
    exitCode,
    outcome,
    message: `msiexec exited ${exitCode}`,
  };
}

/** The verdict core/verdict.ts gives such a machine (a /2 receipt carries it signed). */
function verdictOf(spec: ReceiptSpec, at: string): Verdict {
  const story = spec.story ?? 'clean';
  const state = spec.protectedBy === undefined ? 'active' : spec.protectedBy;
  const protection =
    state === null ? { state: 'not-checked' as const } : { state, product: 'Microsoft Defender Antivirus' };
  const kes = KES();
  const still =
    story === 'clean' || story === 'removed' ? [] : [{ productId: kes.productId, name: kes.name }];
  const [vs, fleet]: [Verdict['state'], Verdict['fleetStatus']] =
    story === 'banned'
      ? ['banned-present', 'banned']
      : story === 'restart-pending'
        ? ['restart-pending', 'restart-pending']
        : story === 'needs-credential'
          ? ['removal-incomplete', 'needs-credential']
          : story === 'failed'
            ? ['removal-incomplete', 'failed']
            : state === 'active'
              ? [story === 'removed' ? 'removed' : 'clean', 'clean']
              : [story === 'removed' ? 'removed-unprotected' : 'unprotected', 'unprotected'];
  return {
    state: vs,
    fleetStatus: fleet,
    headline: `The machine is ${vs}.`,
    details: [],
    stillInstalled: still,
    leftovers: 0,
    protection,
    ...(story === 'clean' || story === 'banned'
      ? {}
      : { plan: { id: 'fleetplan0000001', needsCredential: story === 'needs-credential' } }),
    blind: [],
    basedOn: { scanAt: at, replacementAt: state === null ? null : at },
  };
}

/** An unsigned receipt telling `spec`'s story. */
export function receiptInput(spec: ReceiptSpec): ReceiptInput {
  const at = spec.issuedAt ?? '2026-11-30T10:00:00.000Z';
  const story = spec.story ?? 'clean';
  const found = story === 'clean' ? [] : [KES()];
  const after = story === 'clean' || story === 'removed' ? [] : [KES()];
  const actions =
    story === 'removed'
      ? [action('removed', 0, at)]
      : story === 'restart-pending'
        ? [action('reboot-required', 3010, at)]
        : story === 'needs-credential'
          ? [action('failed', 1603, at)]
          : story === 'failed'
            ? [action('failed', 1612, at)]
            : [];
  const state = spec.protectedBy === undefined ? 'active' : spec.protectedBy;
  return {
    issuedAt: at,
    issuedAtLocal: { time: at.replace(/\.\d+Z$/, '+00:00'), timeZone: 'UTC' },
    verdict: verdictOf(spec, at),
    kind: actions.length ? 'removal' : 'scan',
    host: {
      hostname: spec.hostname ?? `ws-${spec.machineId.slice(0, 6)}`,
      os: 'windows',
      osVersion: 'Windows 10 Pro 22H2 (10.0.19045)',
      arch: 'x64',
      machineId: spec.machineId,
    },
    operator: { name: 'Fleet', organisation: 'Test Agency', account: { user: 'SYSTEM', admin: true } },
    directives: catalog.catalog.directives.map((d) => ({ id: d.id, shortName: d.shortName, title: d.title })),
    findingsBefore: found,
    plan: actions.length
      ? {
          id: 'fleetplan0000001',
          status:
            story === 'removed' ? 'completed' : story === 'restart-pending' ? 'reboot-pending' : 'failed',
          steps: 1,
        }
      : null,
    actions,
    after: { findings: after, leftovers: [], scanAt: at },
    replacement:
      state === null
        ? null
        : {
            os: 'windows',
            product: 'Microsoft Defender Antivirus',
            state,
            detail: state === 'active' ? 'Real-time protection is on.' : 'Defender is not installed.',
            evidence: [],
            checkedAt: at,
          },
    journal: { length: 12, headHash: 'a'.repeat(64), intact: spec.journalIntact ?? true },
    app: { name: 'divest', version: '0.1.0' },
    catalog: { version: spec.catalogVersion ?? catalog.catalog.version, sha256: catalog.sha256 },
  };
}

/** A signed receipt (`spec.schema` 1: a first-version receipt, signed the same way). */
export function signedReceipt(spec: ReceiptSpec & { schema: 1 }, key: SigningKey): ReceiptV1;
export function signedReceipt(spec: ReceiptSpec, key: SigningKey): Receipt;
export function signedReceipt(spec: ReceiptSpec, key: SigningKey): AnyReceipt {
  const v2 = signReceipt(buildReceipt(receiptInput(spec)), key);
  if (spec.schema !== 1) return v2;
  const { issuedAtLocal: _l, verdict: _v, plan: _p, signature: _s, ...rest } = v2;
  const body = {
    ...rest,
    schema: 'divest.receipt/1' as const,
    operator: { name: rest.operator.name, organisation: rest.operator.organisation },
    after: { findings: rest.after.findings, leftovers: rest.after.leftovers },
    catalog: { version: rest.catalog.version, sha256: rest.catalog.sha256 },
  };
  return {
    ...body,
    signature: {
      algorithm: 'Ed25519',
      publicKey: key.publicKeyRaw.toString('base64'),
      keyFingerprint: key.fingerprint,
      value: sign(null, signingBytes(body), key.privateKey).toString('base64'),
    },
  };
}

/** A key in its own data folder under `root`. */
export function keyIn(root: string, name: string): SigningKey {
  return loadOrCreateSigningKey(path.join(root, 'keys', name));
}

/** Writes a receipt file (as `receipt export` does) and returns its path. */
export function writeReceipt(dir: string, name: string, receipt: AnyReceipt | string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof receipt === 'string' ? receipt : serializeReceipt(receipt));
  return file;
}
