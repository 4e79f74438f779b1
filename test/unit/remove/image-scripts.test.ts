/**
 * Issue 15.2: a hostile image's package scripts must not run on this machine.
 *
 * A real dpkg root without a shell holds a Kaspersky package whose prerm writes a marker OUTSIDE
 * "$DPKG_ROOT" (under this machine's /tmp). dpkg could run it only chrootless, i.e. here, as root.
 * By default the plan makes that a guided manual step and executing the plan runs nothing; only
 * the explicit `allowImageScriptsOnHost` runs dpkg, and then the marker does appear, which shows
 * the bed really is hostile and the default is what keeps this machine clean.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatherFacts } from '../../../core/host/facts';
import { NodeCommandRunner } from '../../../core/host/runner';
import { journalPath, openJournal, type Journal } from '../../../core/journal/journal';
import type { Plan } from '../../../core/model/plan';
import type { ScanResult } from '../../../core/model/scan';
import { executePlan } from '../../../core/remove/execute';
import { buildPlan } from '../../../core/remove/plan';
import { scanHost } from '../../../core/scan/scan';
import {
  buildDeb,
  dpkgQuery,
  installDebs,
  makeDpkgRoot,
  skipReason,
  tempDir,
  type Bed,
} from '../../beds/linux';
import { catalog } from '../../fixtures/removal';

const skip = skipReason(['dpkg', 'dpkg-deb']);
const KESL = 'kaspersky-endpoint-security-linux';

const beds: Bed[] = [];
afterAll(() => beds.forEach((b) => b.cleanup()));

let marker: string;
let dataDir: string;
let journal: Journal;
beforeEach(() => {
  marker = path.join(tmpdir(), `divest-marker-${randomBytes(8).toString('hex')}`);
  dataDir = tempDir('image-scripts-data').root;
  journal = openJournal(journalPath(dataDir));
});
afterEach(() => {
  rmSync(marker, { force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

/** A dpkg root with kesl installed; its prerm writes `marker` on whatever machine runs it. */
async function hostileImage(options: { shell?: boolean } = {}): Promise<{ root: string; scan: ScanResult }> {
  const root = makeDpkgRoot({ foreignArchs: [] });
  const debs = tempDir('image-scripts-debs');
  beds.push(root, debs);
  const deb = buildDeb(
    {
      name: 'kesl',
      version: '12.1.0-1234',
      maintainer: 'AO Kaspersky Lab <support@kaspersky.com>',
      description: 'Kaspersky Endpoint Security for Linux',
      files: { '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\nexit 0\n' },
      scripts: { prerm: `echo "escaped the image" > ${JSON.stringify(marker)}` },
    },
    debs.root,
  );
  installDebs(root.root, [deb]);
  if (options.shell) {
    // A merged-/usr image whose /bin/sh is a link inside it, as Debian lays it out.
    mkdirSync(path.join(root.root, 'usr/bin'), { recursive: true });
    writeFileSync(path.join(root.root, 'usr/bin/dash'), '', { mode: 0o755 });
    symlinkSync('usr/bin', path.join(root.root, 'bin'));
    symlinkSync('dash', path.join(root.root, 'usr/bin/sh'));
  }
  const scan = await scanHost({
    catalog,
    runner: new NodeCommandRunner(),
    hostRoot: root.root,
    hostOs: 'linux',
    appVersion: '0.1.0',
  });
  return { root: root.root, scan };
}

async function planFor(root: string, scan: ScanResult, allow?: boolean): Promise<Plan> {
  return buildPlan({
    scan,
    catalog: catalog.catalog,
    facts: await gatherFacts({ os: 'linux', root, live: false }, catalog.catalog),
    logDir: path.join(dataDir, 'logs'),
    ...(allow === undefined ? {} : { allowImageScriptsOnHost: allow }),
  });
}

describe.skipIf(skip !== false)('an image without a shell (issue 15.2)', () => {
  it('by default: a guided manual step, and running the plan never runs the image prerm here', async () => {
    const { root, scan } = await hostileImage();
    const plan = await planFor(root, scan);
    const step = plan.steps.find((s) => s.productId === KESL)!;
    expect(step).toMatchObject({ tool: 'manual', method: 'manual', argv: [], targets: [] });
    expect(plan.steps.flatMap((s) => s.argv)).not.toContain('--force-script-chrootless');
    expect(step.notes[0]).toMatch(/^No automated removal: the image at .* has no shell .*unless told to\.$/);
    const byHand = step.manualSteps.map((a) => a.text).join('\n');
    expect(byHand).toContain('run "dpkg --purge kesl" as root there');
    expect(byHand).toMatch(/mount the image with its shell/);
    expect(byHand).toContain('--run-image-scripts-on-this-machine');
    expect(plan.requiresAdmin).toBe(false);

    const runner = new NodeCommandRunner();
    const report = await executePlan({ plan, runner, journal, presence: { runner, hostRoot: root } });
    expect(report.results.map((r) => r.outcome)).toEqual(['skipped']);
    expect(runner.spawnCount).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(dpkgQuery(root).find((r) => r.name === 'kesl')?.status).toMatch(/ ok installed$/);
  });

  it('allowImageScriptsOnHost: dpkg --force-script-chrootless, said so in the step; the prerm does run here', async () => {
    const { root, scan } = await hostileImage();
    const plan = await planFor(root, scan, true);
    const step = plan.steps.find((s) => s.productId === KESL)!;
    expect(step.tool).toBe('dpkg');
    expect(step.argv).toContain('--force-script-chrootless');
    expect(step.notes.join('\n')).toMatch(/allowed \(--run-image-scripts-on-this-machine\).*hostile image/);

    const runner = new NodeCommandRunner();
    const report = await executePlan({ plan, runner, journal, presence: { runner, hostRoot: root } });
    expect(report.status).toBe('completed');
    // The hostile script ran on this machine: exactly what the default prevents.
    expect(existsSync(marker)).toBe(true);
  });

  it('allowImageScriptsOnHost: false is the default, said explicitly', async () => {
    const { root, scan } = await hostileImage();
    expect((await planFor(root, scan, false)).steps.map((s) => s.tool)).toEqual(['manual']);
  });

  it('an image with a shell (a link inside it): dpkg runs the scripts chrooted, never chrootless', async () => {
    const { root, scan } = await hostileImage({ shell: true });
    const step = (await planFor(root, scan)).steps.find((s) => s.productId === KESL)!;
    expect(step.tool).toBe('dpkg');
    expect(step.argv).not.toContain('--force-script-chrootless');
    expect(step.notes).toEqual([]);
  });
});
