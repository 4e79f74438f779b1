/**
 * `divest fleet fleet-gitops`: files for Fleet's GitOps repository (research NOTES §3).
 *
 * GitOps REPLACES a team's settings with what its file says, so Divest never ships a team file:
 * it ships `lib/` files and the lines to add to the admin's own team file (README.md), for both
 * the Fleet 4.82+ names (`fleets/`, `settings`, `reports`) and the older ones (`teams/`,
 * `team_settings`, `queries`). Each policy PASSES when no banned product is installed and runs
 * `lib/divest-remediate.{sh,ps1}` (Fleet runs `run_script` on team policies only; the script must
 * also be listed under the team file's `controls.scripts`).
 */
import type { LoadedCatalog } from '../catalog/load';
import type { Catalog } from '../model/catalog';
import type { HostOs } from '../model/host';
import { crlf, headerComment, provenanceLine, type GeneratedFile, type Provenance } from './artifacts';
import { CatalogView, type FleetPlatform } from './catalog-view';
import { inventoryQueries } from './inventory-queries';
import {
  FLEET_RECEIPT_NAME,
  LINUX_DATA_DIR,
  MACOS_DATA_DIR,
  POSIX_EXE,
  WINDOWS_EXE_PS,
  WINDOWS_RECEIPTS_PS,
} from './install-layout';
import { bannedPresentQuery, MIN_OSQUERY_VERSION } from './osquery-pack';
import { platformPolicies } from './policy';
import { toYaml, type YamlValue } from './yaml';

const OS_OF: Record<FleetPlatform, HostOs> = { windows: 'windows', linux: 'linux', darwin: 'macos' };
const LABEL: Record<FleetPlatform, string> = { windows: 'Windows', linux: 'Linux', darwin: 'macOS' };

/** The policy name for a platform (also what people search for in Fleet). */
export function policyName(catalog: Catalog, platform: FleetPlatform): string {
  const directives = catalog.directives.map((d) => d.shortName.split(/ \/ | \(/)[0] ?? d.shortName);
  return `Divest: no banned software installed (${directives.join(', ')}) - ${LABEL[platform]}`;
}

/** The catalog's removal warnings for an OS, each once. */
function resolution(catalog: Catalog, platform: FleetPlatform): string {
  const os = OS_OF[platform];
  const warnings = [
    ...new Set(
      catalog.products.flatMap((p) =>
        (p.removal?.warnings ?? [])
          .filter((w) => !w.platforms || w.platforms.includes(os))
          .map((w) => w.text),
      ),
    ),
  ];
  const script = platform === 'windows' ? 'divest-remediate.ps1' : 'divest-remediate.sh';
  return [
    `Fleet runs ${script} when this policy fails: "divest remove --yes" removes the banned products with the vendors' uninstallers, exports a signed receipt and prints one status line (DIVEST/1 state=...). "state=needs-credential" means a password-protected product: change its protection policy in Kaspersky Security Center, or remove it by hand; "state=restart-pending" passes after the machine restarts.`,
    ...warnings.map((w) => `- ${w}`),
  ].join('\n');
}

function posixScript(p: Provenance): string {
  return `#!/bin/sh
${headerComment(p, '#', [
  'Fleet runs this as root when the Divest policy fails (policy run_script).',
  'Exit code: that of "divest remove" (0 removed and verified, 20 restart needed, 30 failed).',
])}
set -u
DIVEST=${POSIX_EXE}
case "$(uname -s)" in
  Darwin) RECEIPTS="${MACOS_DATA_DIR}/receipts" ;;
  *) RECEIPTS="${LINUX_DATA_DIR}/receipts" ;;
esac
"$DIVEST" remove --yes
rc=$?
mkdir -p "$RECEIPTS"
"$DIVEST" receipt export --out "$RECEIPTS/${FLEET_RECEIPT_NAME}" >/dev/null
"$DIVEST" status --line --no-scan
exit "$rc"
`;
}

function windowsScript(p: Provenance): string {
  return crlf(`${headerComment(p, '#', [
    'Fleet runs this as SYSTEM when the Divest policy fails (policy run_script).',
    'Exit code: that of "divest remove" (0 removed and verified, 20 restart needed, 30 failed).',
  ])}
$divest = ${WINDOWS_EXE_PS}
$receipts = ${WINDOWS_RECEIPTS_PS}
& $divest remove --yes
$rc = $LASTEXITCODE
New-Item -ItemType Directory -Force -Path $receipts | Out-Null
& $divest receipt export --out (Join-Path $receipts '${FLEET_RECEIPT_NAME}') | Out-Null
& $divest status --line --no-scan
exit $rc
`);
}

function readme(p: Provenance, catalog: Catalog): string {
  const names = (['windows', 'linux', 'darwin'] as const)
    .map((pl) => `- ${policyName(catalog, pl)}`)
    .join('\n');
  return `# Divest for Fleet (GitOps)

${provenanceLine(p)}

These are \`lib/\` files for your Fleet GitOps repository. Fleet GitOps replaces a team's settings
with what its file says, so Divest does not ship a team file: copy \`lib/\` next to your \`fleets/\`
(Fleet 4.82 and later) or \`teams/\` folder, and add these lines to the team's own file.

Fleet 4.82 and later (\`fleets/<team>.yml\`):

\`\`\`yaml
controls:
  scripts:
    - path: ../lib/divest-remediate.sh
    - path: ../lib/divest-remediate.ps1
policies:
  - path: ../lib/divest.policies.yml
reports:
  - path: ../lib/divest.queries.yml
\`\`\`

Fleet 4.81 and earlier (\`teams/<team>.yml\`): the same, with \`queries:\` instead of \`reports:\`.
(4.82 renamed \`team_settings\` to \`settings\`, \`queries\` to \`reports\`, \`teams/\` to \`fleets/\`
and \`no-team.yml\` to \`unassigned.yml\`; the old names still work there, with a deprecation
warning, but a file may not use both.)

The policies (team policies: \`run_script\` works only there, and only for scripts listed under
\`controls.scripts\` of the same file):

${names}

Each PASSES when no banned product is installed, exactly when \`divest scan\` on that machine exits
0, and FAILS when it would exit 10. On failure Fleet runs \`divest-remediate.sh\` (macOS, Linux)
or \`divest-remediate.ps1\` (Windows), which call \`divest remove --yes\`, export the signed receipt
and print the status line. Before you use them:

- Install Divest on the hosts: \`${POSIX_EXE}\` (macOS, Linux) and
  \`C:\\Program Files\\Divest\\divest.exe\` (Windows), from \`npm run build:sea\`.
- Raise \`script_execution_timeout\` (Fleet's default is 5 minutes): an uninstaller can take longer.
  Fleet never restarts a host; a policy whose removal needs a restart passes after the restart.
- Scripts need fleetd with \`--enable-scripts\` (unless MDM is on).
- \`critical: true\` is left out (Fleet Premium); add it if you use it.
- Fleet leaves a policy whose query errors on a host unevaluated (no pass, no fail, no script):
  the queries need osquery ${MIN_OSQUERY_VERSION} or later, and assume the default Windows folders.

\`lib/divest.queries.yml\` holds evidence queries (what osquery sees of the catalog's products,
traces included) and \`divest_banned_present_<platform>\`, which names the table that shows a banned
product. Regenerate all of it (\`divest fleet fleet-gitops --out DIR\`) when the catalog changes.
`;
}

/** The files of `divest fleet fleet-gitops`. */
export function fleetGitopsFiles(catalog: LoadedCatalog, p: Provenance): GeneratedFile[] {
  const cat = catalog.catalog;
  const header = headerComment(p, '#');
  const policies = platformPolicies(cat).map((pol): YamlValue => ({
    name: policyName(cat, pol.platform),
    description: `Fails when software banned by ${cat.directives.map((d) => d.shortName).join('; ')} is installed on this ${LABEL[pol.platform]} host, by the same rules as "divest scan" (exit 10). ${provenanceLine(p)}`,
    resolution: resolution(cat, pol.platform),
    platform: pol.platform,
    query: pol.policy.replace(/;$/, ''),
    run_script: {
      path: pol.platform === 'windows' ? '../lib/divest-remediate.ps1' : '../lib/divest-remediate.sh',
    },
  }));
  const view = new CatalogView(cat);
  const reports: YamlValue[] = [
    ...platformPolicies(cat).map((pol) => ({
      name: `divest_banned_present_${pol.platform}`,
      description: `Which table shows software banned by the catalog on this ${LABEL[pol.platform]} host (no rows: compliant). ${provenanceLine(p)}`,
      query: bannedPresentQuery(pol).replace(/;$/, ''),
      platform: pol.platform,
      interval: 3600,
      observer_can_run: true,
      automations_enabled: false,
      logging: 'snapshot',
      min_osquery_version: MIN_OSQUERY_VERSION,
    })),
    ...inventoryQueries(view).map((q) => ({
      name: `${q.name}_${q.platform}`,
      description: `${q.description} ${provenanceLine(p)}`,
      query: q.query.replace(/;$/, ''),
      platform: q.platform,
      interval: 86400,
      observer_can_run: true,
      automations_enabled: false,
      logging: 'snapshot',
      min_osquery_version: MIN_OSQUERY_VERSION,
    })),
  ];
  return [
    { path: 'lib/divest.policies.yml', content: toYaml(policies, header), mode: 0o644 },
    { path: 'lib/divest.queries.yml', content: toYaml(reports, header), mode: 0o644 },
    { path: 'lib/divest-remediate.sh', content: posixScript(p), mode: 0o755 },
    { path: 'lib/divest-remediate.ps1', content: windowsScript(p), mode: 0o644 },
    { path: 'README.md', content: readme(p, cat), mode: 0o644 },
  ];
}
