/**
 * Receipt inputs as a removal session and a clean scan produce them, for the receipt tests.
 */
import type { Verdict } from '../../core/model/verdict';
import type { ReceiptInput } from '../../core/receipt/sign';

export const finding = {
  id: 'kaspersky-endpoint-security:0123456789ab',
  productId: 'kaspersky-endpoint-security',
  vendor: 'AO Kaspersky Lab',
  name: 'Kaspersky Endpoint Security for Windows',
  version: '12.3.0.493',
  status: 'banned' as const,
  directives: ['bod-17-01', 'ndaa-fy2018-1634'],
  presence: 'installed' as const,
  evidence: [
    {
      kind: 'registry-uninstall' as const,
      location:
        'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{9A017278-F7F4-4DF9-A482-0B97B70DD7ED}',
      detail: 'DisplayName "Kaspersky Endpoint Security for Windows", Publisher "AO Kaspersky Lab"',
    },
    { kind: 'service' as const, location: 'AVP', detail: 'service AVP, running, start type automatic' },
  ],
  removalHints: {
    msiProductCodes: ['{9A017278-F7F4-4DF9-A482-0B97B70DD7ED}'],
    packages: [],
    uninstallEntries: [],
    paths: ['%ProgramFiles(x86)%\\Kaspersky Lab'],
  },
};

/** The verdict such a session gives (core/verdict.ts computes it; receipts carry it signed). */
const incomplete: Verdict = {
  state: 'removal-incomplete',
  fleetStatus: 'failed',
  headline:
    'Removal incomplete: step 2 of 2 (Uninstall Kaspersky Network Agent) did not finish in time; still installed: Kaspersky Security Center Network Agent.',
  details: [],
  stillInstalled: [{ productId: 'kaspersky-network-agent', name: 'Kaspersky Security Center Network Agent' }],
  leftovers: 1,
  protection: { state: 'inactive', product: 'Microsoft Defender Antivirus' },
  plan: { id: '0123456789abcdef', needsCredential: false },
  blind: [],
  basedOn: { scanAt: '2025-03-04T10:14:40.000Z', replacementAt: '2025-03-04T10:15:00.000Z' },
};

export function removalInput(): ReceiptInput {
  return {
    issuedAt: '2025-03-04T10:20:30.000Z',
    issuedAtLocal: { time: '2025-03-04T05:20:30-05:00', timeZone: 'America/New_York' },
    verdict: incomplete,
    host: {
      hostname: 'WS-0042',
      os: 'windows',
      osVersion: '10.0.19045',
      arch: 'x64',
      machineId: 'b7e0c1d2-0000-4000-8000-1234567890ab',
    },
    operator: { name: 'Dana Ops', organisation: 'Agency IT', account: { user: 'dana', admin: true } },
    directives: [
      { id: 'bod-17-01', shortName: 'BOD 17-01', title: 'Removal of Kaspersky-branded Products' },
      {
        id: 'ndaa-fy2018-1634',
        shortName: 'NDAA FY2018 §1634',
        title: 'Prohibition on use of products and services developed or provided by Kaspersky Lab',
      },
    ],
    findingsBefore: [finding],
    plan: { id: '0123456789abcdef', status: 'failed', steps: 2 },
    actions: [
      {
        stepId: 'step-1',
        productId: 'kaspersky-endpoint-security',
        findingId: finding.id,
        title: 'Uninstall Kaspersky Endpoint Security (Windows Installer)',
        method: 'msi',
        argv: [
          'msiexec.exe',
          '/x',
          '{9A017278-F7F4-4DF9-A482-0B97B70DD7ED}',
          '/qn',
          'KLLOGIN=admin',
          'KLPASSWD=***',
        ],
        startedAt: '2025-03-04T10:10:00.000Z',
        finishedAt: '2025-03-04T10:12:31.500Z',
        exitCode: 3010,
        outcome: 'reboot-required',
        outputSha256: 'a'.repeat(64),
        message: 'msiexec 3010: a restart is required to complete the removal',
      },
      {
        stepId: 'step-2',
        productId: 'kaspersky-network-agent',
        title: 'Uninstall Kaspersky Network Agent',
        method: 'exe',
        argv: ['C:\\Program Files (x86)\\Kaspersky Lab\\NetworkAgent\\uninstall.exe', '/s'],
        startedAt: '2025-03-04T10:12:32.000Z',
        finishedAt: '2025-03-04T10:14:32.000Z',
        exitCode: null,
        outcome: 'timed-out',
        message: 'stopped after 120 s',
      },
    ],
    after: {
      scanAt: '2025-03-04T10:14:40.000Z',
      findings: [],
      leftovers: [
        {
          kind: 'file',
          location: 'C:\\ProgramData\\Kaspersky Lab',
          detail: 'folder, 14 MB',
          howToClear: 'Delete the folder after the restart.',
        },
      ],
    },
    replacement: {
      os: 'windows',
      product: 'Microsoft Defender Antivirus',
      state: 'inactive',
      detail: 'Real-time protection is off',
      evidence: [
        'Get-MpComputerStatus: RealTimeProtectionEnabled False',
        'WMI SecurityCenter2: productState 393472',
      ],
      checkedAt: '2025-03-04T10:15:00.000Z',
    },
    journal: { length: 12, headHash: 'b'.repeat(64), intact: true },
    app: { name: 'divest', version: '0.1.0' },
    catalog: { version: '2025.03.1', sha256: 'c'.repeat(64) },
  };
}

export function cleanScanInput(): ReceiptInput {
  const base = removalInput();
  return {
    ...base,
    findingsBefore: [],
    plan: null,
    actions: [],
    after: { scanAt: '2025-03-04T10:14:40.000Z', findings: [], leftovers: [] },
    replacement: null,
    verdict: {
      ...incomplete,
      state: 'unprotected',
      fleetStatus: 'unprotected',
      headline:
        'No banned software is installed, but this machine is UNPROTECTED: protection was not checked.',
      stillInstalled: [],
      leftovers: 0,
      protection: { state: 'not-checked' },
    },
  };
}
