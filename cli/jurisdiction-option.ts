/**
 * `--jurisdiction US,AU` on scan, plan and status, the data folder's `jurisdictions.json`, and how
 * findings then say which directives cover them: those that apply here first, then those of other
 * jurisdictions. Nothing is hidden and no exit code changes (see core/catalog/jurisdiction.ts).
 */
import * as z from 'zod';
import type { LoadedCatalog } from '../core/catalog/load';
import {
  coverageHere,
  describeSetting,
  parseJurisdictions,
  readJurisdictionFile,
  type JurisdictionSetting,
} from '../core/catalog/jurisdiction';
import { directiveForce } from '../core/model/catalog';

/** The flag, in parseArgs form and in zod form. */
export const JURISDICTION_FLAG = { jurisdiction: { type: 'string' } } as const;
export const JurisdictionOption = {
  jurisdiction: z.string().min(1, '--jurisdiction needs a value').optional(),
};

export const JURISDICTION_HELP = `  --jurisdiction CODES  the jurisdictions that govern this machine, e.g. US,AU or US,US-NH (default: the
                        data folder's jurisdictions.json, else all). Findings say which directives apply
                        here and which belong elsewhere; nothing is hidden and exit codes do not change.`;

/** The setting in force and where it came from. */
export interface JurisdictionChoice {
  setting: JurisdictionSetting;
  /** `--jurisdiction`, the file's path, or `default`. */
  source: string;
}

/** `--jurisdiction` first, then `<data-dir>/jurisdictions.json`, then all. */
export function jurisdictionChoice(
  flag: string | undefined,
  dataDir: string,
  catalog: LoadedCatalog,
): JurisdictionChoice {
  if (flag !== undefined)
    return { setting: parseJurisdictions(flag, catalog.catalog), source: '--jurisdiction' };
  const file = readJurisdictionFile(dataDir, catalog.catalog);
  return file ? { setting: file.setting, source: file.file } : { setting: [], source: 'default' };
}

/** Short labels: "NDAA FY2018 §1634", not "... / FAR 52.204-23". */
function shortName(catalog: LoadedCatalog, id: string): string {
  const d = catalog.catalog.directives.find((x) => x.id === id);
  if (!d) return id;
  const name = d.shortName.split(/ \/ | \(/)[0] ?? d.shortName;
  return directiveForce(d) === 'guidance' ? `${name} (guidance)` : name;
}

/** Jurisdiction codes in catalog order, each once ("US ×4, AU, IT"). */
function codes(catalog: LoadedCatalog, ids: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const code = catalog.catalog.directives.find((d) => d.id === id)?.region?.code ?? id;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([c, n]) => (n > 1 ? `${c} ×${n}` : c)).join(', ');
}

/** The DIRECTIVES cell of the scan table: jurisdictions that apply, then the others. */
export function coverageCell(
  directiveIds: readonly string[],
  catalog: LoadedCatalog,
  setting: JurisdictionSetting,
): string {
  if (directiveIds.length === 0) return '-';
  const { applies, elsewhere } = coverageHere(directiveIds, catalog.catalog, setting);
  if (setting.length === 0) return codes(catalog, applies);
  if (applies.length === 0) return `none here; elsewhere: ${codes(catalog, elsewhere)}`;
  return elsewhere.length
    ? `${codes(catalog, applies)}; elsewhere: ${codes(catalog, elsewhere)}`
    : codes(catalog, applies);
}

/**
 * The lines after a scan or plan: for the banned products found, the directives that apply under
 * the setting, grouped by jurisdiction, then those of other jurisdictions, then the products that
 * only other jurisdictions ban (still banned, still counted).
 */
export function coverageLines(
  products: readonly { name: string; directives: readonly string[]; status: string }[],
  catalog: LoadedCatalog,
  choice: JurisdictionChoice,
): string[] {
  const banned = products.filter((p) => p.status === 'banned');
  if (banned.length === 0) return [];
  const all = [...new Set(banned.flatMap((p) => p.directives))];
  const { applies, elsewhere } = coverageHere(all, catalog.catalog, choice.setting);
  const from = choice.source === 'default' ? 'the default' : `from ${choice.source}`;
  const lines = [`Jurisdictions: ${describeSetting(choice.setting)} (${from}).`];
  const group = (ids: readonly string[]): string[] => {
    const byCode = new Map<string, string[]>();
    for (const id of ids) {
      const d = catalog.catalog.directives.find((x) => x.id === id);
      const key = d?.region ? `${d.region.code} (${d.region.name})` : 'no jurisdiction given';
      byCode.set(key, [...(byCode.get(key) ?? []), shortName(catalog, id)]);
    }
    return [...byCode].map(([k, names]) => `  ${k}: ${names.join('; ')}`);
  };
  if (applies.length) lines.push('Directives that cover what was found and apply here:', ...group(applies));
  if (elsewhere.length)
    lines.push('Directives that cover it in jurisdictions not applied here:', ...group(elsewhere));
  const onlyElsewhere = banned.filter(
    (p) => coverageHere(p.directives, catalog.catalog, choice.setting).applies.length === 0,
  );
  if (onlyElsewhere.length)
    lines.push(
      `Banned only elsewhere (still reported and counted as banned): ${[...new Set(onlyElsewhere.map((p) => p.name))].join(', ')}.`,
    );
  return lines;
}
