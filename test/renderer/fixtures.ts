/**
 * Data for the screen tests, in the contract's shapes (each is parsed with the contract's schema,
 * so a fixture cannot drift from what main really sends). The catalog is the real built-in one.
 */
import {
  AppInfo,
  CatalogView,
  PlanResult,
  RemovalSummary,
  Settings,
  DEFAULT_SETTINGS,
  toCatalogView,
} from '../../core/api';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { ScanResult, type Finding } from '../../core/model/scan';
import { ReplacementStatus } from '../../core/model/verify';

/** App info: admin by default; override `removal` for the other states. */
export function appInfo(over: Partial<AppInfo> = {}): AppInfo {
  return AppInfo.parse({
    version: '0.1.0',
    os: 'linux',
    hostRoot: null,
    hostname: 'ws-042',
    rights: { admin: true, how: 'running as root' },
    removal: { mode: 'direct', method: 'none', explanation: 'Divest has administrator rights.' },
    dataDir: '/var/lib/divest',
    catalog: { version: '2026.11.22', origin: 'built-in', sha256: 'a'.repeat(64) },
    keyFingerprint: null,
    ...over,
  });
}

/** The real built-in catalog, as `catalog:get` returns it. */
export function catalogView(): CatalogView {
  return CatalogView.parse(toCatalogView(loadBuiltInCatalog()));
}

/** Settings. */
export function settings(over: Partial<Settings> = {}): Settings {
  return Settings.parse({ ...DEFAULT_SETTINGS, ...over });
}

/** A KESL finding. */
export function keslFinding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'kaspersky-endpoint-security-linux:0123456789ab',
    productId: 'kaspersky-endpoint-security-linux',
    vendor: 'Kaspersky',
    name: 'Kaspersky Endpoint Security for Linux',
    version: '12.1.0-1234',
    status: 'banned',
    directives: ['bod-17-01', 'ndaa-fy2018-1634'],
    presence: 'installed',
    evidence: [
      {
        kind: 'package',
        location: 'dpkg:/var/lib/dpkg/status#kesl:amd64',
        detail: 'dpkg package kesl 12.1.0-1234 (install ok installed)',
      },
      { kind: 'file', location: '/opt/kaspersky/kesl', detail: 'Folder exists' },
    ],
    removalHints: {
      msiProductCodes: [],
      packages: [{ manager: 'dpkg', name: 'kesl', installed: true }],
      uninstallEntries: [],
      paths: [],
    },
    ...over,
  };
}

/** A scan result with the given findings. */
export function scanResult(findings: Finding[] = [keslFinding()]): ScanResult {
  return ScanResult.parse({
    schema: 'divest.scan/1',
    host: { hostname: 'ws-042', os: 'linux', osVersion: 'Debian 12', arch: 'x64', machineId: 'm-1' },
    catalog: { version: '2026.11.22', sha256: 'a'.repeat(64), origin: 'built-in' },
    app: { name: 'divest', version: '0.1.0' },
    startedAt: '2026-11-22T10:00:00.000Z',
    durationMs: 120,
    spawns: 3,
    findings,
    notes: [],
  });
}

/** A plan with one package step (and optionally a password-protected MSI-like step or a manual one). */
export function planResult(
  opts: { credentials?: boolean; manual?: boolean; empty?: boolean } = {},
): PlanResult {
  const step = {
    id: 's1',
    findingId: 'kaspersky-endpoint-security-linux:0123456789ab',
    productId: 'kaspersky-endpoint-security-linux',
    productName: 'Kaspersky Endpoint Security for Linux',
    title: 'Remove Kaspersky Endpoint Security for Linux 12.1.0-1234 (dpkg purge: kesl)',
    method: 'package' as const,
    tool: 'dpkg' as const,
    argv: ['/usr/bin/dpkg', '--purge', 'kesl'],
    targets: ['kesl'],
    timeoutMs: 600_000,
    preflight: ['Administrator (root) rights'],
    warnings: [
      {
        text: 'KESL tasks stop during removal.',
        refs: ['x'],
        unconfirmed: 'The vendor does not say how long.',
      },
    ],
    manualSteps: [],
    notes: [],
    ...(opts.credentials ? { credentials: 'kes-kllogin-klpasswd' as const } : {}),
  };
  const manual = {
    ...step,
    id: 's2',
    title: 'Remove Kaspersky Security Center Network Agent by hand (guided)',
    method: 'manual' as const,
    tool: 'manual' as const,
    argv: [],
    credentials: undefined,
    manualSteps: [{ text: 'Run kavremover from the vendor.', refs: ['y'] }],
    notes: ['No automated removal: no package.'],
  };
  const steps = opts.empty ? [] : opts.manual ? [step, manual] : [step];
  return PlanResult.parse({
    kind: 'new',
    plan: {
      schema: 'divest.plan/1',
      id: '0123456789abcdef',
      createdAt: '2026-11-22T10:00:01.000Z',
      os: 'linux',
      requiresAdmin: true,
      warnings: steps.length
        ? [
            { text: 'Removal needs administrator rights.', refs: [] },
            { text: 'Save your work and close other programs first.', refs: [] },
          ]
        : [],
      steps: steps.map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))),
      skipped: [],
    },
    scan: scanResult(),
    doneSteps: 0,
    rebootPendingSince: null,
  });
}

/** A replacement status. */
export function replacement(state: ReplacementStatus['state']): ReplacementStatus {
  return ReplacementStatus.parse({
    os: 'linux',
    product: 'ClamAV',
    state,
    detail:
      state === 'active'
        ? 'ClamAV is installed and recent.'
        : 'UNPROTECTED: no replacement antivirus was found.',
    evidence: state === 'active' ? ['package clamav 1.4.6 (dpkg)'] : [],
    checkedAt: '2026-11-22T10:01:00.000Z',
  });
}

/** A removal summary. */
export function removalSummary(exitCode: 0 | 20 | 30 = 0): RemovalSummary {
  return RemovalSummary.parse({
    planId: '0123456789abcdef',
    status: exitCode === 0 ? 'completed' : exitCode === 20 ? 'reboot-pending' : 'failed',
    resumed: false,
    results: [
      {
        stepId: 's1',
        productId: 'kaspersky-endpoint-security-linux',
        findingId: 'kaspersky-endpoint-security-linux:0123456789ab',
        title: 'Remove KESL',
        method: 'package',
        argv: ['/usr/bin/dpkg', '--purge', 'kesl'],
        startedAt: '2026-11-22T10:00:02.000Z',
        finishedAt: '2026-11-22T10:00:03.000Z',
        exitCode: exitCode === 30 ? 1 : 0,
        outcome: exitCode === 30 ? 'failed' : 'removed',
        message: exitCode === 30 ? 'dpkg failed (1).' : 'dpkg removed the packages (0).',
        durationMs: 1000,
      },
    ],
    remaining: [],
    after: scanResult(exitCode === 30 ? [keslFinding()] : []),
    leftovers:
      exitCode === 30
        ? []
        : [
            {
              productId: 'kaspersky-endpoint-security-linux',
              kind: 'file',
              location: '/var/log/kaspersky',
              detail: 'Folder exists',
              howToClear: 'Delete /var/log/kaspersky.',
            },
          ],
    replacement: replacement('inactive'),
    stillInstalled: exitCode === 30 ? ['kaspersky-endpoint-security-linux'] : [],
    verdict: verdictFor(exitCode),
    exitCode,
  });
}

/** The verdict that goes with a removal summary of this exit code. */
export function verdictFor(exitCode: 0 | 20 | 30): RemovalSummary['verdict'] {
  const state =
    exitCode === 0 ? 'removed-unprotected' : exitCode === 20 ? 'restart-pending' : 'removal-incomplete';
  return {
    state,
    fleetStatus: exitCode === 0 ? 'unprotected' : exitCode === 20 ? 'restart-pending' : 'failed',
    headline:
      exitCode === 0
        ? 'Removed, but this machine is now UNPROTECTED: ClamAV is inactive.'
        : exitCode === 20
          ? 'Restart needed: the removal finishes after this machine restarts.'
          : 'Removal incomplete: step 1 of 1 (Remove KESL) failed; still installed: Kaspersky Endpoint Security for Linux.',
    details: [],
    stillInstalled:
      exitCode === 30
        ? [{ productId: 'kaspersky-endpoint-security-linux', name: 'Kaspersky Endpoint Security for Linux' }]
        : [],
    leftovers: exitCode === 30 ? 0 : 1,
    protection: { state: 'inactive', product: 'ClamAV' },
    plan: { id: '0123456789abcdef', needsCredential: false },
    blind: [],
    basedOn: { scanAt: '2026-11-22T10:00:04.000Z', replacementAt: '2026-11-22T10:01:00.000Z' },
  };
}
