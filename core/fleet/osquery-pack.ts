/**
 * `divest fleet osquery`: osquery packs generated from the active catalog, one per platform, for
 * vanilla osqueryd (and Elastic, Kolide...): `divest.conf` holds them inline, `packs/*.json` one
 * each. Every query is `snapshot` (each log line is a full statement), and its description names
 * the catalog version and hash.
 */
import type { LoadedCatalog } from '../catalog/load';
import { provenanceLine, type GeneratedFile, type Provenance } from './artifacts';
import { CatalogView, FLEET_PLATFORMS, type FleetPlatform } from './catalog-view';
import { inventoryQueries } from './inventory-queries';
import { platformPolicies, POLICY_TABLES, type PlatformPolicy } from './policy';

/** osquery with `services` listing drivers (5.10.0, osquery PR #8119). */
export const MIN_OSQUERY_VERSION = '5.10.0';

/** The detections as one query listing which table found a banned product (no rows: compliant). */
export function bannedPresentQuery(policy: PlatformPolicy): string {
  return `${policy.detections.map((d) => d.replace(/^SELECT 1 FROM (\w+)/, "SELECT '$1' AS source FROM $1")).join('\nUNION ALL\n')};`;
}

interface PackQuery {
  query: string;
  interval: number;
  snapshot: boolean;
  platform: FleetPlatform;
  version: string;
  description: string;
}

/** One platform's pack (osquery's pack format: queries, platform, version). */
export function pack(
  platform: FleetPlatform,
  policy: PlatformPolicy,
  view: CatalogView,
  p: Provenance,
): { platform: FleetPlatform; version: string; queries: Record<string, PackQuery> } {
  const tail = provenanceLine(p);
  const queries: Record<string, PackQuery> = {
    divest_banned_present: {
      query: bannedPresentQuery(policy),
      interval: 3600,
      snapshot: true,
      platform,
      version: MIN_OSQUERY_VERSION,
      description: `Rows when software banned by the catalog's directives is installed (the table that shows it); no rows when the machine is compliant, as "divest scan" exits 10 or 0. ${tail}`,
    },
  };
  for (const q of inventoryQueries(view).filter((x) => x.platform === platform))
    queries[q.name] = {
      query: q.query,
      interval: 86400,
      snapshot: true,
      platform,
      version: MIN_OSQUERY_VERSION,
      description: `${q.description} Evidence, not a verdict. ${tail}`,
    };
  return { platform, version: MIN_OSQUERY_VERSION, queries };
}

function readme(p: Provenance): string {
  return `# Divest osquery packs

${provenanceLine(p)}

- \`divest.conf\`: an osquery configuration holding the three packs inline
  (\`divest_windows\`, \`divest_linux\`, \`divest_darwin\`). Merge its \`packs\` into your
  configuration, or load it as an extra file with the filesystem config plugin.
- \`packs/divest-<platform>.json\`: the same packs one per file, for
  \`"packs": { "divest_linux": "/etc/osquery/packs/divest-linux.json" }\`.

\`divest_banned_present\` returns rows exactly when \`divest scan\` on that machine would exit 10
(banned software installed), naming the table that shows it; the \`divest_*\` evidence queries list
what osquery sees of the catalog's products, traces included. They need osquery
${MIN_OSQUERY_VERSION} or later (the \`services\` table lists drivers from that version on).

The queries are generated from the catalog: regenerate them (\`divest fleet osquery --out DIR\`)
whenever a new catalog is installed. Windows paths assume the default folders (C:\\Program Files,
C:\\ProgramData). The tables each query reads: ${FLEET_PLATFORMS.map((pl) => `${pl}: ${POLICY_TABLES[pl].join(', ')}`).join('; ')}.
`;
}

/** The files of `divest fleet osquery`. */
export function osqueryPackFiles(catalog: LoadedCatalog, p: Provenance): GeneratedFile[] {
  const view = new CatalogView(catalog.catalog);
  const policies = platformPolicies(catalog.catalog);
  const packs = Object.fromEntries(
    policies.map((pol) => [`divest_${pol.platform}`, pack(pol.platform, pol, view, p)]),
  );
  const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
  return [
    { path: 'divest.conf', content: json({ packs }), mode: 0o644 },
    ...policies.map((pol) => ({
      path: `packs/divest-${pol.platform}.json`,
      content: json(packs[`divest_${pol.platform}`]),
      mode: 0o644,
    })),
    { path: 'README.md', content: readme(p), mode: 0o644 },
  ];
}
