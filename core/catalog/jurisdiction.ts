/**
 * Which jurisdictions govern this machine, and so which directives apply to what a scan found.
 *
 * The setting is a list of jurisdiction codes (`US`, `AU`, `US-NH`: ISO 3166-1 alpha-2 or ISO
 * 3166-2); an empty list means "all" (the default). Matching is exact: `US` is the federal
 * directives and not New Hampshire's (`US-NH`), so a New Hampshire agency sets `US,US-NH`.
 *
 * The setting never hides anything. A finding keeps every directive that covers it (that is what
 * the catalog says, and what receipts record); the setting only splits them into those that apply
 * here and those that apply elsewhere, and a banned product that only other jurisdictions ban is
 * still reported, still counts as banned (exit code 10), and says "banned elsewhere". Reason: the
 * setting is a local choice nobody signs, and an auditor must never see a machine called clean
 * while it runs software some government bans, merely because a setting was changed.
 */
import path from 'node:path';
import * as z from 'zod';
import type { Catalog, Directive, Region } from '../model/catalog';
import { JurisdictionCode } from '../model/catalog';
import { DivestError } from '../errors';
import { readRegularFileSync } from '../fs/read-file';

/** Codes of the jurisdictions that apply; `[]` means all of them. */
export type JurisdictionSetting = readonly string[];

/** Every jurisdiction the catalog's directives name, by code (the first name given wins). */
export function catalogJurisdictions(cat: Pick<Catalog, 'directives'>): Region[] {
  const byCode = new Map<string, Region>();
  for (const d of cat.directives)
    if (d.region && !byCode.has(d.region.code)) byCode.set(d.region.code, d.region);
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Parses `--jurisdiction US,AU` (or `all`): upper-cased, de-duplicated, each a valid code that
 * some directive of the catalog names, so that a typo ("UK" for "GB") cannot mean "nothing applies".
 */
export function parseJurisdictions(text: string, cat: Pick<Catalog, 'directives'>): string[] {
  const known = catalogJurisdictions(cat);
  const list = `${known.map((r) => r.code).join(', ')}, or all`;
  const items = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new DivestError('usage', `--jurisdiction needs a value: ${list}`);
  if (items.length === 1 && items[0] === 'ALL') return [];
  const codes = [...new Set(items)];
  const bad = codes.filter((c) => !JurisdictionCode.safeParse(c).success || c === 'ALL');
  if (bad.length)
    throw new DivestError(
      'usage',
      `--jurisdiction: ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length === 1 ? 'is not a jurisdiction code' : 'are not jurisdiction codes'}; use ${list}`,
    );
  const unknown = codes.filter((c) => !known.some((r) => r.code === c));
  if (unknown.length)
    throw new DivestError(
      'usage',
      `--jurisdiction: no directive in the catalog is from ${unknown.map((u) => `"${u}"`).join(', ')}; known: ${list}`,
    );
  return codes;
}

/** Whether a directive applies under the setting. A directive with no region always applies. */
export function appliesHere(d: Pick<Directive, 'region'>, setting: JurisdictionSetting): boolean {
  return setting.length === 0 || d.region === undefined || setting.includes(d.region.code);
}

/** A finding's (or product's) directives split by the setting, each list in catalog order. */
export interface CoverageHere {
  /** Directives that cover it and apply here. */
  applies: string[];
  /** Directives that cover it but belong to jurisdictions the setting leaves out. */
  elsewhere: string[];
}

/** Splits the directives that cover a product by the jurisdiction setting. */
export function coverageHere(
  directiveIds: readonly string[],
  cat: Pick<Catalog, 'directives'>,
  setting: JurisdictionSetting,
): CoverageHere {
  const out: CoverageHere = { applies: [], elsewhere: [] };
  for (const id of directiveIds) {
    const d = cat.directives.find((x) => x.id === id);
    (d === undefined || appliesHere(d, setting) ? out.applies : out.elsewhere).push(id);
  }
  return out;
}

/** The setting in words: "all jurisdictions" or "US, AU". */
export function describeSetting(setting: JurisdictionSetting): string {
  return setting.length === 0 ? 'all jurisdictions' : setting.join(', ');
}

/** The data folder's jurisdiction setting file (`jurisdictions.json`). */
export const JURISDICTION_FILE = 'jurisdictions.json';

const JurisdictionFile = z.strictObject({ jurisdictions: z.array(z.string().max(16)).max(300) });

/**
 * The setting kept in the data folder (`<data-dir>/jurisdictions.json`, `{"jurisdictions": ["US"]}`),
 * or `undefined` when there is none. An administrator (or a fleet tool) writes it once per machine;
 * `--jurisdiction` overrides it. A file that is not valid is refused with a sentence naming it.
 */
export function readJurisdictionFile(
  dataDir: string,
  cat: Pick<Catalog, 'directives'>,
): { setting: string[]; file: string } | undefined {
  const file = path.join(dataDir, JURISDICTION_FILE);
  let text: string;
  try {
    text = readRegularFileSync(file, { maxBytes: 64 * 1024, what: 'jurisdiction setting' }).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: z.infer<typeof JurisdictionFile>;
  try {
    parsed = JurisdictionFile.parse(JSON.parse(text));
  } catch {
    throw new DivestError(
      'invalid-input',
      `The jurisdiction setting ${file} is not valid: it must be {"jurisdictions": ["US", "AU"]} (an empty list means all).`,
    );
  }
  try {
    return {
      setting: parsed.jurisdictions.length ? parseJurisdictions(parsed.jurisdictions.join(','), cat) : [],
      file,
    };
  } catch (e) {
    throw new DivestError(
      'invalid-input',
      `${file}: ${(e as Error).message.replace(/^--jurisdiction: /, '')}`,
    );
  }
}
