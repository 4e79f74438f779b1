/**
 * What a catalog update changes: directives, products and signatures added, changed and removed,
 * and which of those changes weaken it (a product removed, a signature removed, a product moved
 * from banned to review, a directive removed or no longer covering a product, an exception added).
 * An import shows this and refuses a weakening without --accept-weakening: a stolen catalog key
 * could otherwise quietly un-ban a product.
 */
import canonicalize from 'canonicalize';
import type { Catalog, Product } from '../../model/catalog';
import type { CatalogException } from '../../model/catalog-release';

export interface EntryChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

/** One signature of a product, as `os.kind: value` (e.g. `windows.displayNames: ^Kaspersky Free`). */
export interface SignatureRef {
  product: string;
  signature: string;
}

export interface CatalogDiff {
  from: string;
  to: string;
  directives: EntryChanges;
  products: EntryChanges;
  signatures: { added: SignatureRef[]; removed: SignatureRef[] };
  statusChanges: { product: string; from: string; to: string }[];
  exceptions: EntryChanges;
  /** Each weakening in one sentence; empty when the update only adds or tightens. */
  weakening: string[];
}

function entries<T extends { id: string }>(a: readonly T[], b: readonly T[]): EntryChanges {
  const before = new Map(a.map((e) => [e.id, canonicalize(e)]));
  const after = new Map(b.map((e) => [e.id, canonicalize(e)]));
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id)),
  };
}

/** Every signature of a product as `os.kind: value`. */
export function signaturesOf(p: Product): string[] {
  const out: string[] = [];
  for (const [os, sig] of Object.entries(p.signatures))
    for (const [kind, list] of Object.entries(sig ?? {}))
      for (const item of list as { re?: string; name?: string; path?: string }[])
        out.push(`${os}.${kind}: ${item.re ?? item.name ?? item.path ?? canonicalize(item)}`);
  return out;
}

function signatureChanges(a: Catalog, b: Catalog): CatalogDiff['signatures'] {
  const after = new Map(b.products.map((p) => [p.id, p]));
  const added: SignatureRef[] = [];
  const removed: SignatureRef[] = [];
  for (const p of a.products) {
    const q = after.get(p.id);
    if (!q) continue;
    const was = new Set(signaturesOf(p));
    const now = new Set(signaturesOf(q));
    for (const s of now) if (!was.has(s)) added.push({ product: p.id, signature: s });
    for (const s of was) if (!now.has(s)) removed.push({ product: p.id, signature: s });
  }
  return { added, removed };
}

function coverageLost(a: Catalog, b: Catalog): string[] {
  const after = new Map(b.products.map((p) => [p.id, p]));
  const out: string[] = [];
  for (const p of a.products) {
    const q = after.get(p.id);
    if (!q) continue;
    for (const d of p.directives)
      if (!q.directives.includes(d)) out.push(`product "${p.id}" is no longer covered by directive "${d}"`);
  }
  return out;
}

/** The changes from catalog `a` to catalog `b` (with the exceptions each carries, for overlays). */
export function diffCatalogs(
  a: { catalog: Catalog; exceptions?: readonly CatalogException[]; label: string },
  b: { catalog: Catalog; exceptions?: readonly CatalogException[]; label: string },
): CatalogDiff {
  const directives = entries(a.catalog.directives, b.catalog.directives);
  const products = entries(a.catalog.products, b.catalog.products);
  const signatures = signatureChanges(a.catalog, b.catalog);
  const exceptions = entries(a.exceptions ?? [], b.exceptions ?? []);
  const after = new Map(b.catalog.products.map((p) => [p.id, p]));
  const statusChanges = a.catalog.products.flatMap((p) => {
    const q = after.get(p.id);
    return q && q.status !== p.status ? [{ product: p.id, from: p.status, to: q.status }] : [];
  });
  const weakening = [
    ...products.removed.map((id) => `product "${id}" is removed`),
    ...directives.removed.map((id) => `directive "${id}" is removed`),
    ...statusChanges
      .filter((s) => s.from === 'banned')
      .map((s) => `product "${s.product}" changes from ${s.from} to ${s.to}`),
    ...coverageLost(a.catalog, b.catalog),
    ...signatures.removed.map((s) => `product "${s.product}" loses the signature ${s.signature}`),
    ...exceptions.added.map((id) => `exception "${id}" is added (it lets a machine keep banned software)`),
    ...exceptions.changed.map((id) => `exception "${id}" is changed`),
  ];
  return {
    from: a.label,
    to: b.label,
    directives,
    products,
    signatures,
    statusChanges,
    exceptions,
    weakening,
  };
}

/** The diff in lines for people. */
export function formatDiff(d: CatalogDiff): string[] {
  const lines = [`Changes from ${d.from} to ${d.to}:`];
  const section = (name: string, c: EntryChanges): void => {
    if (!c.added.length && !c.changed.length && !c.removed.length) return;
    lines.push(`  ${name}:`);
    for (const id of c.added) lines.push(`    + ${id}`);
    for (const id of c.changed) lines.push(`    ~ ${id}`);
    for (const id of c.removed) lines.push(`    - ${id}`);
  };
  section('directives', d.directives);
  section('products', d.products);
  if (d.signatures.added.length || d.signatures.removed.length) {
    lines.push('  signatures:');
    for (const s of d.signatures.added) lines.push(`    + ${s.product}: ${s.signature}`);
    for (const s of d.signatures.removed) lines.push(`    - ${s.product}: ${s.signature}`);
  }
  for (const s of d.statusChanges) lines.push(`  status: ${s.product}: ${s.from} -> ${s.to}`);
  section('exceptions', d.exceptions);
  if (lines.length === 1) lines.push('  no change to directives, products, signatures or exceptions');
  if (d.weakening.length) {
    lines.push(`  WEAKENING (${d.weakening.length}):`);
    for (const w of d.weakening) lines.push(`    ! ${w}`);
  }
  return lines;
}
