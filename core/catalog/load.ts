/**
 * Loading and validating catalogs: the built-in one (shipped inside the app, split over a few
 * files for editing) or one unsigned file (`--catalog FILE --unsigned-catalog`, development).
 *
 * Which catalog is active (the newest accepted signed release in the data folder, else the
 * built-in one) is decided by `release/active.ts`, which uses the validation here for the catalog
 * a release carries.
 *
 * A malformed catalog is rejected with a message naming the file, the entry and the field, so that
 * whoever edits it can fix it without reading code.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { z } from 'zod';
import { Catalog, CATALOG_SCHEMA } from '../model/catalog';
import type { CatalogException, CatalogProvenance } from '../model/catalog-release';
import { builtInCatalogInput, builtInSequence } from './builtin-source';
import { builtInRoot } from './release/root';
import { DivestError } from '../errors';
import { MiB, readRegularFileSync } from '../fs/read-file';
import { describeIssue, formatPath, jsonDepthExceeds, jsonSyntaxMessage } from '../validation';

export interface LoadedCatalog {
  catalog: Catalog;
  /** SHA-256 of the RFC 8785 canonical JSON of the catalog as given. */
  sha256: string;
  /** Where it came from: `built-in`, the file path, or the installed release's file. */
  origin: string;
  /** Channel, sequence, signers, dates, staleness, root: what receipts and headers carry. */
  provenance: CatalogProvenance;
  /** Documented exceptions from agency overlays (each with its target and expiry). */
  exceptions: CatalogException[];
  /** What could not be used and was left out (an overlay that no longer applies), in sentences. */
  notes: string[];
}

/** A catalog that cannot be used: the message names the file, and `problems` every problem. */
export class CatalogError extends DivestError<'catalog'> {
  constructor(
    message: string,
    readonly file: string,
    readonly problems: string[],
  ) {
    super('catalog', message);
  }
}

const BUILT_IN_FILES: Record<string, string> = {
  references: 'catalog/references.json',
  vendors: 'catalog/vendors.json',
  directives: 'catalog/directives.json',
  products: 'catalog/products.json',
};

const ENTRY_NOUN: Record<string, string> = {
  references: 'reference',
  vendors: 'vendor',
  directives: 'directive',
  products: 'product',
};

/** Turns zod issues into one line each: file, entry (by id when it has one), field, problem. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  fileFor: (section: string) => string,
): string[] {
  return issues.map((issue) => {
    const [section, index, ...rest] = issue.path;
    if (typeof section !== 'string') return `${fileFor('')}: ${issue.message}`;
    const file = fileFor(section);
    if (typeof index !== 'number') return `${file}: ${describeIssue(issue)}`;
    const list = (input as Record<string, unknown> | null)?.[section];
    const entry = Array.isArray(list) ? (list[index] as { id?: unknown } | undefined) : undefined;
    const noun = ENTRY_NOUN[section] ?? section;
    const name =
      entry && typeof entry.id === 'string'
        ? `${noun} "${entry.id}" (entry ${index + 1})`
        : `${noun} entry ${index + 1}`;
    return `${file}: ${name}: ${describeIssue(issue, rest.length ? formatPath(rest) : '(the entry itself)')}`;
  });
}

/** SHA-256 of the RFC 8785 canonical JSON of a value (the catalog's `sha256`). */
export function catalogDigest(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('catalog cannot be canonicalised');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Validates a catalog document; a CatalogError names every problem by file, entry and field.
 * Returns the parsed catalog and its digest.
 */
export function validateCatalog(
  input: unknown,
  origin: string,
  fileFor: (section: string) => string,
): { catalog: Catalog; sha256: string } {
  const parsed = Catalog.safeParse(input);
  const surrogates = loneSurrogates(input);
  if (!parsed.success || surrogates.length) {
    const problems = [
      ...(parsed.success ? [] : describeIssues(parsed.error.issues, input, fileFor)),
      ...describeIssues(surrogates, input, fileFor),
    ];
    throw new CatalogError(
      `The catalog ${origin} is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
      origin,
      problems,
    );
  }
  return { catalog: parsed.data, sha256: catalogDigest(input) };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Strings holding a lone UTF-16 surrogate (`"\uD800"` in the JSON): no canonical form (RFC 8785)
 * and no journal line can carry them, so they are catalog problems named by field, not a scan that
 * fails later with "Lone surrogate is not allowed".
 */
function loneSurrogates(input: unknown): z.core.$ZodIssue[] {
  const found: z.core.$ZodIssue[] = [];
  const walk = (v: unknown, at: PropertyKey[]): void => {
    if (found.length >= 20) return;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v))
        found.push({
          code: 'custom',
          path: at,
          input: v,
          message: `holds a lone UTF-16 surrogate (an unpaired "\\u${v.charCodeAt(v.search(LONE_SURROGATE)).toString(16).toUpperCase()}"), which is not text: write the character itself or remove it`,
        } as z.core.$ZodIssue);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) walk(k, [...at, k]);
        walk(x, [...at, k]);
      }
  };
  walk(input, []);
  return found;
}

/** The provenance of a catalog that no signature vouches for (built-in or unsigned file). */
function unsignedProvenance(
  source: 'built-in' | 'unsigned-file',
  version: string,
  sequence: number | null,
): CatalogProvenance {
  const root = builtInRoot();
  return {
    source,
    channel: 'publisher',
    version,
    sequence,
    payloadSha256: null,
    issuedAt: null,
    expires: null,
    stale: false,
    signers: [],
    rootVersion: root.version,
    developmentRoot: root.development,
    clockBehind: false,
    overlays: [],
  };
}

declare global {
  /** True inside the CLI bundle, whose build validated the built-in catalog (scripts/build.mjs). */
  var __DIVEST_BUNDLED__: boolean | undefined;
  /** The built-in catalog as the build validated it (JSON of a LoadedCatalog), in the bundle only. */
  var __DIVEST_BUILTIN_CATALOG__: string | undefined;
}

/**
 * The catalog shipped inside Divest.
 *
 * Running from source (tests), it is validated here; in the CLI bundle the build has already
 * validated it and embedded the result, so a start parses one JSON string instead.
 */
export function loadBuiltInCatalog(): LoadedCatalog {
  // A conditional expression (not an if/return) so that the bundle's define folds it and drops the
  // catalog's source files and their validation from the CLI bundle.
  return globalThis.__DIVEST_BUNDLED__
    ? (JSON.parse(globalThis.__DIVEST_BUILTIN_CATALOG__ ?? 'null') as LoadedCatalog)
    : validateBuiltIn();
}

function validateBuiltIn(): LoadedCatalog {
  const v = validateCatalog(
    builtInCatalogInput(),
    'built-in',
    (section) => BUILT_IN_FILES[section] ?? 'catalog/meta.json',
  );
  return {
    ...v,
    origin: 'built-in',
    provenance: unsignedProvenance('built-in', v.catalog.version, builtInSequence()),
    exceptions: [],
    notes: [],
  };
}

/** The largest catalog file accepted (the built-in one is about 100 KB). */
export const MAX_CATALOG_BYTES = 8 * MiB;

/**
 * A catalog from one unsigned JSON file (`--catalog FILE --unsigned-catalog`, for development):
 * `{ schema, version, references, vendors, directives, products }`. Signed releases are loaded by
 * `release/active.ts` (`loadSignedCatalogFile`). A file that is not a regular file (a FIFO,
 * `/dev/zero`, a folder) or is over {@link MAX_CATALOG_BYTES} is refused (`invalid-input`) before
 * it is read.
 */
export function loadCatalogFile(file: string): LoadedCatalog {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file, { maxBytes: MAX_CATALOG_BYTES, what: 'catalog file' });
  } catch (e) {
    if (e instanceof DivestError) throw e;
    throw new CatalogError(`Cannot read the catalog file ${file}: ${(e as Error).message}`, file, []);
  }
  let text: string;
  try {
    // A byte-order mark (Notepad writes one) is dropped, as RFC 8259 §8.1 lets a parser do.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CatalogError(
      `The catalog file ${file} is not UTF-8 text (it holds bytes that are not UTF-8; save it as UTF-8)`,
      file,
      [],
    );
  }
  const deep = jsonDepthExceeds(text, 64);
  if (deep)
    throw new CatalogError(
      `The catalog file ${file} is nested more than 64 levels deep (at character ${deep.position}): no catalog is`,
      file,
      [],
    );
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new CatalogError(`The catalog file ${file} is not valid JSON: ${jsonSyntaxMessage(e)}`, file, []);
  }
  if (!input || typeof input !== 'object' || (input as { schema?: unknown }).schema !== CATALOG_SCHEMA) {
    const got = (input as { schema?: unknown } | null)?.schema;
    throw new CatalogError(
      `The catalog file ${file} is not a Divest catalog: field "schema" must be "${CATALOG_SCHEMA}" (found ${JSON.stringify(got)})`,
      file,
      [],
    );
  }
  const v = validateCatalog(input, file, () => file);
  return {
    ...v,
    origin: file,
    provenance: unsignedProvenance('unsigned-file', v.catalog.version, null),
    exceptions: [],
    notes: [],
  };
}

/** Finds a product or directive by id, throwing a clear error for a bad id. */
export function indexCatalog(cat: Catalog): {
  product: (id: string) => Catalog['products'][number] | undefined;
  directive: (id: string) => Catalog['directives'][number] | undefined;
  reference: (id: string) => Catalog['references'][number] | undefined;
} {
  const p = new Map(cat.products.map((x) => [x.id, x]));
  const d = new Map(cat.directives.map((x) => [x.id, x]));
  const r = new Map(cat.references.map((x) => [x.id, x]));
  return { product: (id) => p.get(id), directive: (id) => d.get(id), reference: (id) => r.get(id) };
}
