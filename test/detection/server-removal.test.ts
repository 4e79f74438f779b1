/**
 * Removal follows detection (issue 10), on a Kaspersky Security Center server under Linux: KESL,
 * the Network Agent, the Administration Server (ksc64) and the Web Console (ksc-web-console) as
 * real .debs in a dpkg root, plus a Kaspersky program folder no package owns. The built CLI plans
 * the protection product first, then the Network Agent, then the server components, each with
 * dpkg (the bed has no shell, so the packages' scripts run on this machine, as the flag says); the unpackaged folder gets a guided step naming it; `remove --yes` purges the packages for
 * real, and what stays is the unidentified folder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Plan } from '../../core/model/plan';
import {
  type Bed,
  KASPERSKY_MAINTAINER,
  KASPERSKY_VENDOR,
  buildDeb,
  debSpecOf,
  dpkgQuery,
  ensureBuiltCli,
  installDebs,
  makeDpkgRoot,
  runCli,
  skipReason,
  tempDir,
  writeIntoRoot,
} from '../beds/linux';

const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
const ORDER = [
  'kaspersky-endpoint-security-linux',
  'kaspersky-network-agent',
  'kaspersky-administration-server',
  'kaspersky-security-center-web-console',
];
const PACKAGES = [
  ['kesl', '12.1.0', '/opt/kaspersky/kesl/bin/kesl-control'],
  ['klnagent64', '15.1.0', '/opt/kaspersky/klnagent64/bin/klnagent'],
  ['ksc64', '15.1.0', '/opt/kaspersky/ksc64/sbin/klserver'],
  ['ksc-web-console', '15.1.0', '/var/opt/kaspersky/ksc-web-console/server/index.js'],
] as const;

let bed: Bed;
let data: Bed;
const host = (): string[] => ['--host-root', bed.root, '--host-os', 'linux', '--data-dir', data.root];

describe.skipIf(skip !== false)('a Kaspersky Security Center server on Linux: plan and removal order', () => {
  beforeAll(() => {
    ensureBuiltCli();
    bed = makeDpkgRoot();
    data = tempDir('server-data');
    const out = tempDir('server-debs');
    try {
      const debs = PACKAGES.map(([name, version, file]) =>
        buildDeb(
          debSpecOf({
            name,
            version,
            release: '1',
            maintainer: KASPERSKY_MAINTAINER,
            vendor: KASPERSKY_VENDOR,
            description: `${name} (Divest test bed)`,
            files: { [file]: '#!/bin/sh\n' },
          }),
          out.root,
        ),
      );
      installDebs(bed.root, debs);
    } finally {
      out.cleanup();
    }
    writeIntoRoot(bed.root, { '/opt/kaspersky/kav4proxy/bin/kav4proxy-kavicapserver': '#!/bin/sh\n' });
  }, 120_000);

  afterAll(() => {
    bed?.cleanup();
    data?.cleanup();
  });

  it('plans the protection product, then the Network Agent, then the server components, with dpkg', () => {
    const run = runCli(['plan', '--json', '--run-image-scripts-on-this-machine', ...host()]);
    expect(run.status, run.stderr).toBe(10);
    const plan = Plan.parse(JSON.parse(run.stdout));
    const automated = plan.steps.filter((s) => s.method !== 'manual');
    expect(automated.map((s) => s.productId)).toEqual(ORDER);
    for (const s of automated) expect(s.tool).toBe('dpkg');
    const guided = plan.steps.find((s) => s.productId === 'kaspersky-unidentified');
    expect(guided?.method).toBe('manual');
    const text = guided?.manualSteps.map((m) => m.text).join(' ') ?? '';
    expect(text).toContain('/opt/kaspersky/kav4proxy');
    // It never tells anyone to delete the vendor folder other products live in.
    expect(text).not.toMatch(/delete \/opt\/kaspersky[ ,]/);
  });

  it('remove --yes purges the four packages; the unidentified program folder is still reported', () => {
    const run = runCli(['remove', '--yes', '--run-image-scripts-on-this-machine', '--json', ...host()], {
      timeoutMs: 300_000,
    });
    const report = JSON.parse(run.stdout) as {
      results: { productId: string; outcome: string }[];
      after: { stillInstalled: string[] };
    };
    const done = report.results.filter((r) => r.outcome === 'removed').map((r) => r.productId);
    expect(done).toEqual(ORDER);
    expect(dpkgQuery(bed.root).map((r) => r.name)).toEqual([]);
    expect(report.after.stillInstalled).toEqual(['kaspersky-unidentified']);
  });
});
