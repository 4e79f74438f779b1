/**
 * The crash matrix through the app (issue 9.2): the real handlers remove a three-step dpkg plan
 * through the real elevated helper (`divest remove --helper` over stdio, as pkexec would start
 * it), and the helper is killed with its uninstaller (SIGKILL of both process groups) during each
 * step in turn. Each time the app's own view — its verdict from its journal, the plan it offers,
 * and the receipt it exports — must agree with what dpkg says is still installed; then the app
 * continues the plan through a new helper and everything says removed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../core/api';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { NodeCommandRunner } from '../../core/host/runner';
import { journalPath, openJournal } from '../../core/journal/journal';
import { Receipt } from '../../core/model/receipt';
import { machineStatus } from '../../core/usecases/status';
import { openWorkspace } from '../../core/usecases/workspace';
import { ElevatedRemover } from '../../main/elevate';
import { createHandlers } from '../../main/handlers';
import { MemorySettingsStore } from '../helpers/memory-settings';
import {
  activateClamav,
  bedFixtures,
  dpkgQuery,
  killGroups,
  makeDpkgBed,
  processesInRoot,
  skipReason,
  slowWhenMarkerPrerm,
  tempDir,
  waitFor,
  withDebScripts,
  type Bed,
  type FixturePackage,
} from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
const MARKER = 'divest-crash-marker';
const KASPERSKY = ['kav4fs', 'kesl', 'kesl-gui', 'klnagent64'];
const SLOWED = ['kav4fs', 'kesl', 'klnagent64'];
const slow = (f: FixturePackage): FixturePackage =>
  withDebScripts(f, { prerm: slowWhenMarkerPrerm(`${MARKER}-${f.name}`) });

const cleanups: Bed[] = [];
afterAll(() => {
  for (const c of cleanups) {
    killGroups(processesInRoot(c.root).map((p) => p.pgid));
    c.cleanup();
  }
});

describe.skipIf(skip !== false)("the app's elevated helper killed at every step", () => {
  for (const k of [1, 2, 3]) {
    it(`killed with its uninstaller in step ${k} of 3: the app agrees with dpkg, then continues`, async () => {
      const bed = makeDpkgBed([
        slow(bedFixtures.kav4fs),
        slow(bedFixtures.kesl),
        bedFixtures.keslGui,
        slow(bedFixtures.klnagent64),
        bedFixtures.hello,
        bedFixtures.clamav,
      ]);
      cleanups.push(bed);
      activateClamav(bed.root);
      const appData = tempDir('helper-crash-app');
      const rootData = tempDir('helper-crash-root');
      cleanups.push(appData, rootData);
      const still = () =>
        dpkgQuery(bed.root)
          .filter((r) => KASPERSKY.includes(r.name) && !/not-installed|config-files$/.test(r.status))
          .map((r) => r.name)
          .sort();
      const helperArgv = [
        process.execPath,
        '--import',
        'tsx',
        path.join(repo, 'test/electron/helper-main.ts'),
        '--test-host-root',
        bed.root,
        '--test-data-dir',
        path.join(rootData.root, 'divest'),
        '--',
      ];
      const handlers = createHandlers({
        allowImageScriptsOnHost: true,
        settings: new MemorySettingsStore(DEFAULT_SETTINGS),
        dataDir: appData.root,
        defaultExportFolder: appData.root,
        appVersion: '0.0.0-test',
        hostRoot: bed.root,
        hostOs: 'linux',
        emit: () => undefined,
        preferElevated: true,
        elevatedRemover: new ElevatedRemover({
          platform: 'linux',
          helper: helperArgv,
          runner: new NodeCommandRunner(),
          elevate: (command) => [...command],
          allowImages: true,
          channel: 'stdio',
        }),
      });
      const workspace = () =>
        openWorkspace({
          catalog: loadBuiltInCatalog(),
          dataDir: appData.root,
          appVersion: '0.0.0-test',
          hostRoot: bed.root,
          hostOs: 'linux',
        });

      const planned = await handlers.plan({});
      expect(planned.kind).toBe('new');
      expect(planned.plan.steps).toHaveLength(3);
      const marker = path.join(bed.root, `${MARKER}-${SLOWED[k - 1]}`);
      writeFileSync(marker, '30\n');
      const running = handlers.remove({ planId: planned.plan.id, acknowledged: true, manualDone: [] }).then(
        () => 'finished',
        (e: unknown) => `failed: ${String(e)}`,
      );
      const rootJournal = journalPath(path.join(rootData.root, 'divest'));
      await waitFor(
        () =>
          existsSync(rootJournal) &&
          readFileSync(rootJournal, 'utf8').includes(`"stepId":"s${k}"`) &&
          processesInRoot(bed.root).some((p) => path.basename(p.argv[0] ?? '') === 'sleep'),
        `step s${k} to start in the helper and its removal script to sleep`,
        90_000,
      );
      // The helper (its argv names the bed) and the uninstaller die together, as in a power cut.
      killGroups(processesInRoot(bed.root).map((p) => p.pgid));
      const outcome = await running;
      expect(outcome).toMatch(/^failed/); // the app is told; it never says "removed"
      await waitFor(() => processesInRoot(bed.root).length === 0, 'the killed processes to go');
      rmSync(marker);

      const truth = still();
      expect(truth.length).toBeGreaterThan(0);
      // The app's verdict, from its own journal: interrupted at step k, naming what dpkg still has.
      const { verdict } = await machineStatus(workspace(), { source: 'journal' });
      expect(verdict.state).toBe('removal-incomplete');
      expect(verdict.headline).toMatch(new RegExp(`^Removal incomplete: interrupted at step ${k} of 3 `));
      // Continue is offered, not a new plan.
      const again = await handlers.plan({});
      expect(again.kind).toBe('resume');
      expect(again.plan.id).toBe(planned.plan.id);
      // The app's receipt says so on its first line, and its after-scan names exactly dpkg's truth.
      const exported = await handlers.exportReceipt({ formats: ['html'] });
      const receipt = Receipt.parse(JSON.parse(readFileSync(exported.files.json, 'utf8')));
      expect(receipt.verdict.state).toBe('removal-incomplete');
      expect(receipt.verdict.headline).toMatch(/^Removal incomplete: interrupted at step/);
      const installed = receipt.after.findings
        .filter((f) => f.status === 'banned' && f.presence === 'installed')
        .flatMap((f) => f.removalHints.packages.filter((p) => p.installed).map((p) => p.name))
        .sort();
      expect(installed).toEqual(truth);
      expect(readFileSync(exported.files.html!, 'utf8')).not.toContain('Removed and verified');

      // A new helper continues the plan; then dpkg, the verdict and the receipt say removed.
      const done = await handlers.remove({ planId: again.plan.id, acknowledged: true, manualDone: [] });
      expect(done.status).toBe('completed');
      expect(still()).toEqual([]);
      expect((await machineStatus(workspace(), { source: 'journal' })).verdict.state).toBe('removed');
      const final = await handlers.exportReceipt({ formats: [] });
      expect(Receipt.parse(JSON.parse(readFileSync(final.files.json, 'utf8'))).verdict.state).toBe('removed');
      const own = await openJournal(journalPath(appData.root)).read();
      expect(own.report.intact).toBe(true);
    }, 240_000);
  }
});
