/**
 * `divest catalog show | verify | import | diff | trust-agency`: the signed catalog updates
 * (docs/architecture.md, "Signed catalog updates: format and trust model").
 *
 * Exit codes: show 0 (1 when the installed catalog cannot be used); verify and import 0 accepted,
 * 1 refused (with the sentence); diff 0; trust-agency 0, 1 failed; 2 usage.
 */
import path from 'node:path';
import * as z from 'zod';
import { CatalogError, validateCatalog } from '../core/catalog/load';
import { readActive } from '../core/catalog/release/active';
import { diffCatalogs, formatDiff } from '../core/catalog/release/diff';
import { decodeRelease, parseJsonBytes } from '../core/catalog/release/envelope';
import { examineRelease, importRelease, type Examined } from '../core/catalog/release/import';
import { mergeOverlay, parseOverlay } from '../core/catalog/release/overlay';
import { catalogProvenance, formatProvenance } from '../core/catalog/release/provenance';
import { ReleaseRefused } from '../core/catalog/release/refusal';
import { readBounded } from '../core/catalog/release/store';
import { trustAgency } from '../core/catalog/release/trust';
import { journalPath, openJournal } from '../core/journal/journal';
import type { Catalog } from '../core/model/catalog';
import type { CatalogException, CatalogProvenance } from '../core/model/catalog-release';
import { parseCommand, UsageError } from './args';
import { catalogSetup } from './context';

const HELP = `divest catalog show [--json] [--data-dir DIR]
divest catalog verify FILE [--json] [--data-dir DIR]
divest catalog import FILE [--accept-weakening] [--json] [--data-dir DIR]
divest catalog diff A B [--json] [--data-dir DIR]
divest catalog trust-agency --pubkey FILE --name SLUG [--require-signature] [--data-dir DIR]

show          The active catalog and where it comes from: channel, sequence, version, signers'
              fingerprints, issued and expiry dates, whether it is stale, whether this build's root
              is a development root, agency overlays and trusted agencies.
verify        Every check an import makes (signatures, roles, threshold, dates, app version,
              content, anti-rollback), writing nothing. Exit 0 accepted, 1 refused (says why).
import        Verifies, shows what changes (directives, products, signatures added, changed,
              removed) and installs. A weakening (a product or signature removed, banned -> review,
              an exception added) is refused unless --accept-weakening (recorded in the journal).
diff          What changes from catalog A to catalog B (signed releases or plain catalog files).
trust-agency  Trusts an agency's Ed25519 public key (PEM) for overlays and countersignatures;
              --require-signature makes publisher releases import only when countersigned by it.
              Journaled; prints the key's fingerprint to read back to the agency.
Catalog release files are made with scripts/catalog-publish.mjs (see --help there).
`;

const DataDir = { 'data-dir': z.string().min(1).optional() };
const Base = {
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function journalOf(dataDir: string): ReturnType<typeof openJournal> {
  return openJournal(journalPath(dataDir));
}

/** The `show` text: provenance line by line, with what it means. */
export function formatShow(p: CatalogProvenance, origin: string, notes: readonly string[]): string {
  const lines = [formatProvenance(p), `  from:      ${origin}`];
  if (p.signers.length)
    for (const s of p.signers)
      lines.push(`  signed by: ${s.keyid} (${s.role}${s.agency ? ` ${s.agency}` : ''})`);
  lines.push(`  root:      version ${p.rootVersion}${p.developmentRoot ? ' (DEVELOPMENT)' : ''}`);
  if (p.issuedAt) lines.push(`  issued:    ${p.issuedAt}`);
  if (p.expires) lines.push(`  expires:   ${p.expires}${p.stale ? ' (STALE: expired)' : ' (current)'}`);
  if (p.stale)
    lines.push(
      '  STALE: this catalog has expired. Scanning and removal still work with it; import a current release (divest catalog import FILE).',
    );
  if (p.clockBehind)
    lines.push(
      '  CLOCK: the system clock is earlier than the newest release seen; expiry is judged from that release.',
    );
  if (p.developmentRoot)
    lines.push(
      '  DEVELOPMENT ROOT: this build trusts a development root whose private keys are public (test/fixtures/catalog-release/dev-keys). Anyone can sign catalogs it accepts. Production builds must replace core/catalog/release/root.json.',
    );
  if (p.source === 'unsigned-file')
    lines.push('  UNSIGNED: nothing vouches for this catalog (--unsigned-catalog).');
  for (const n of notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

async function runShow(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { options, help } = parseCommand(
    'catalog show',
    argv,
    Base,
    z.object({ json: z.boolean().default(false), ...DataDir }),
    { min: 0, max: 0, names: '' },
  );
  if (help) return usage(out);
  const setup = catalogSetup(options);
  const active = readActive(setup);
  const p = catalogProvenance(active.loaded);
  if (options.json) {
    out.write(
      `${JSON.stringify({ schema: 'divest.catalog-show/1', provenance: p, origin: active.loaded.origin, sha256: active.loaded.sha256, exceptions: active.loaded.exceptions, agencies: active.agencies, notes: active.loaded.notes }, null, 2)}\n`,
    );
    return 0;
  }
  out.write(formatShow(p, active.loaded.origin, active.loaded.notes));
  for (const a of active.agencies)
    out.write(
      `  agency:    ${a.slug} ${a.keyid}${a.requireAgencySignature ? ' (countersignature required)' : ''}\n`,
    );
  for (const x of active.loaded.exceptions)
    out.write(
      `  exception: ${x.id}: ${x.directive} for ${x.products.join(', ')} on ${'machineId' in x.target ? `machine ${x.target.machineId}` : `group ${x.target.group}`} until ${x.expires} (approved by ${x.approver})\n`,
    );
  return 0;
}

function usage(out: NodeJS.WritableStream): number {
  out.write(HELP);
  return 0;
}

function describeRelease(x: Examined): string {
  const p = x.release.payload;
  return `${p.channel} release #${p.sequence} (catalog ${p.catalogVersion}), signed by ${x.release.signers.map((s) => s.keyid).join(', ')} under root version ${x.release.root.version}${x.release.root.development ? ' (DEVELOPMENT ROOT)' : ''}; issued ${p.issuedAt}, expires ${p.expires}, needs Divest ≥ ${p.minAppVersion}`;
}

function refusedOutput(file: string, e: unknown, json: boolean, out: NodeJS.WritableStream): number {
  if (!(e instanceof ReleaseRefused) && !(e instanceof CatalogError)) throw e;
  const reason = e instanceof ReleaseRefused ? e.reason : 'invalid';
  if (json)
    out.write(
      `${JSON.stringify({ file, ok: false, reason, message: e.message, problems: e.problems }, null, 2)}\n`,
    );
  else out.write(`REFUSED: ${e.message}\n`);
  return 1;
}

async function runVerifyOrImport(
  sub: 'verify' | 'import',
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const flags = sub === 'import' ? ({ ...Base, 'accept-weakening': { type: 'boolean' } } as const) : Base;
  const { options, positionals, help } = parseCommand(
    `catalog ${sub}`,
    argv,
    flags,
    z.object({
      json: z.boolean().default(false),
      'accept-weakening': z.boolean().default(false),
      ...DataDir,
    }),
    { min: 1, max: 1, names: 'one release file' },
  );
  if (help) return usage(out);
  const file = positionals[0] ?? '';
  const setup = catalogSetup(options);
  const journal = journalOf(setup.dataDir);
  let x: Examined;
  try {
    x =
      sub === 'verify'
        ? await examineRelease(file, setup, journal)
        : await importRelease(file, { ...setup, journal, acceptWeakening: options['accept-weakening'] });
  } catch (e) {
    return refusedOutput(file, e, options.json, out);
  }
  if (x.release.root.development)
    err.write(
      'divest: WARNING: this release is trusted through a DEVELOPMENT root (its private keys are public); not for production.\n',
    );
  if (options.json) {
    out.write(
      `${JSON.stringify({ file, ok: true, installed: sub === 'import', channel: x.release.payload.channel, sequence: x.release.payload.sequence, version: x.release.payload.catalogVersion, payloadSha256: x.release.payloadSha256, signers: x.release.signers, rootVersion: x.release.root.version, diff: x.diff }, null, 2)}\n`,
    );
    return 0;
  }
  out.write(
    `${sub === 'verify' ? 'OK' : 'INSTALLED'}: ${file}\n  ${describeRelease(x)}\n${formatDiff(x.diff)
      .map((l) => `  ${l}`)
      .join('\n')}\n`,
  );
  if (sub === 'verify' && x.diff.weakening.length)
    out.write('  Importing it will need --accept-weakening.\n');
  if (sub === 'import' && x.diff.weakening.length)
    out.write('  The weakening was accepted (--accept-weakening) and is recorded in the journal.\n');
  return 0;
}

/** A catalog (and its exceptions) from a release file or a plain catalog file, for `diff`. */
function catalogForDiff(
  file: string,
  publisher: Catalog,
): { catalog: Catalog; exceptions: CatalogException[]; label: string } {
  const bytes = readBounded(file);
  const input = parseJsonBytes(bytes, file);
  const name = path.basename(file);
  if (!input || typeof input !== 'object' || !('payloadType' in input))
    return { catalog: validateCatalog(input, file, () => file).catalog, exceptions: [], label: name };
  // A release: its content, whoever signed it (diff judges changes, not trust; verify judges trust).
  const d = decodeRelease(bytes, file);
  const label = `${name} (${d.payload.channel} #${d.payload.sequence})`;
  if (d.payload.channel === 'publisher')
    return { catalog: validateCatalog(d.payload.catalog, file, () => file).catalog, exceptions: [], label };
  const slug = d.payload.channel.slice('agency:'.length);
  const merged = mergeOverlay(publisher, parseOverlay(d.payload.overlay, file), slug, file);
  return { catalog: merged.catalog, exceptions: merged.exceptions, label };
}

async function runDiff(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { options, positionals, help } = parseCommand(
    'catalog diff',
    argv,
    Base,
    z.object({ json: z.boolean().default(false), ...DataDir }),
    { min: 2, max: 2, names: 'two catalog or release files (A B)' },
  );
  if (help) return usage(out);
  const publisher = readActive(catalogSetup(options), true).loaded.catalog;
  let a: ReturnType<typeof catalogForDiff>;
  let b: ReturnType<typeof catalogForDiff>;
  try {
    a = catalogForDiff(positionals[0] ?? '', publisher);
    b = catalogForDiff(positionals[1] ?? '', publisher);
  } catch (e) {
    return refusedOutput(positionals.join(' '), e, options.json, out);
  }
  const d = diffCatalogs(a, b);
  out.write(options.json ? `${JSON.stringify(d, null, 2)}\n` : `${formatDiff(d).join('\n')}\n`);
  return 0;
}

async function runTrust(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { options, help } = parseCommand(
    'catalog trust-agency',
    argv,
    {
      ...Base,
      pubkey: { type: 'string' },
      name: { type: 'string' },
      'require-signature': { type: 'boolean' },
    },
    z.object({
      json: z.boolean().default(false),
      pubkey: z.string({ error: 'catalog trust-agency needs --pubkey FILE' }).min(1),
      name: z.string({ error: 'catalog trust-agency needs --name SLUG' }).min(1),
      'require-signature': z.boolean().default(false),
      ...DataDir,
    }),
    { min: 0, max: 0, names: '' },
  );
  if (help) return usage(out);
  const setup = catalogSetup(options);
  let pem: string;
  try {
    pem = readBounded(options.pubkey, 64 * 1024).toString('utf8');
  } catch (e) {
    throw new UsageError(`catalog trust-agency: ${(e as Error).message}`);
  }
  const active = readActive(setup, true);
  const agency = await trustAgency({
    dataDir: setup.dataDir,
    journal: journalOf(setup.dataDir),
    root: active.root,
    pem,
    slug: options.name,
    requireAgencySignature: options['require-signature'],
    now: new Date(),
  });
  out.write(
    options.json
      ? `${JSON.stringify(agency, null, 2)}\n`
      : `Trusted agency "${agency.slug}": key ${agency.keyid}${agency.requireAgencySignature ? '; publisher releases now need its countersignature' : ''}.\nRead this fingerprint back to the agency's key holder by another channel to confirm it is their key.\n`,
  );
  return 0;
}

/** Runs `divest catalog ...`. */
export async function runCatalog(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'show':
      return runShow(rest, out);
    case 'verify':
    case 'import':
      return runVerifyOrImport(sub, rest, out, err);
    case 'diff':
      return runDiff(rest, out);
    case 'trust-agency':
      return runTrust(rest, out);
    case undefined:
    case '--help':
    case '-h':
      out.write(HELP);
      return sub === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `catalog: unknown subcommand "${sub}" (show, verify, import, diff or trust-agency)`,
      );
  }
}
