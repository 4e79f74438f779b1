/**
 * The elevated helper against a second, unprivileged user who tampers with everything it can
 * reach while the helper runs: for real, as root, with the real helper process
 * (test/electron/helper-main.ts = the CLI's `divest remove --helper` on a bed), real dpkg beds and
 * a real second account (`divest-tamper`, made with useradd) running its own attack program
 * through `runuser`.
 *
 * The attacker tries every swap the old design allowed (request.json in a user-owned temp folder
 * naming the data folder, hostRoot, catalog path and progress file): it plants request files and
 * `progress.jsonl`/`journal.jsonl` symlinks to a root-owned victim file in every `divest-*` folder it
 * can write, rewrites the catalog file the app's settings name, offers its own image (whose
 * kesl prerm would create a marker file that only root can create), replaces the helper's socket
 * with a symlink to a root-only socket or with its own listener, and puts a symlink at the cancel
 * file's place. The app side additionally hands the helper a plan made from the attacker's
 * catalog, and a plan with the right id but the attacker's commands.
 *
 * What must hold every time: the marker never appears (no script of the attacker's image ran),
 * the victim file and the root-only socket are untouched, the attacker's image is unchanged,
 * root created no file in the attacker's folders, and what root removed is exactly root's own
 * plan of the real bed (or nothing).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, type RemovalSummary } from '../../core/api';
import { builtInCatalogInput } from '../../core/catalog/builtin-source';
import { loadBuiltInCatalog, loadCatalogFile } from '../../core/catalog/load';
import { planAndRecord } from '../../core/usecases/plan';
import { DivestError } from '../../core/errors';
import { NodeCommandRunner } from '../../core/host/runner';
import { openWorkspace } from '../../core/usecases/workspace';
import { ElevatedRemover } from '../../main/elevate';
import { createHandlers } from '../../main/handlers';
import { HelperLine, encodeLine, lineReader } from '../../core/helper/protocol';
import { MemorySettingsStore } from '../helpers/memory-settings';
import type { Bed, FixturePackage } from '../beds/linux';
import { bedFixtures, dpkgArgv, dpkgQuery, makeDpkgBed, mustRun, skipReason, tempDir } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TAMPER = 'divest-tamper';

function whyNot(): string | false {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'needs root (runs the helper as root)';
  for (const t of ['runuser', 'useradd', 'id'])
    if (spawnSync(t, ['--help'], { stdio: 'ignore' }).error) return `no ${t}`;
  return skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
}
const skip = whyNot();
if (skip) console.warn(`[tamper] skipping: ${skip}`);

/** The second user (made once; useradd is not run again when it exists). */
function ensureTamperUser(): { uid: number; gid: number; home: string } {
  if (spawnSync('id', ['-u', TAMPER]).status !== 0) mustRun(['useradd', '-m', TAMPER]);
  const uid = Number(mustRun(['id', '-u', TAMPER]).stdout.trim());
  const gid = Number(mustRun(['id', '-g', TAMPER]).stdout.trim());
  const home = mustRun(['sh', '-c', `getent passwd ${TAMPER} | cut -d: -f6`]).stdout.trim();
  return { uid, gid, home };
}

/** The attacker's program: plain Node, run as divest-tamper; what it does is in `cfg.mode`. */
const ATTACK = String.raw`
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = { uid: process.getuid(), iterations: 0, planted: 0, swapped: 0, heard: [], sent: 0 };
const save = () => writeFileSync(cfg.log, JSON.stringify(out));
const evil = JSON.stringify({ dataDir: cfg.attackerData, hostRoot: cfg.attackerBed, hostOs: 'linux', catalogPath: cfg.evilCatalog,
  appVersion: 'x', planId: cfg.planId, manualDone: [], progressFile: cfg.victim, cancelFile: cfg.victim });
const plant = (dir) => {
  for (const [name, write] of [
    ['request.json', (p) => writeFileSync(p, evil)],
    ['progress.jsonl', (p) => symlinkSync(cfg.victim, p)],
    ['journal.jsonl', (p) => symlinkSync(cfg.victim, p)],
  ]) { try { rmSync(path.join(dir, name), { force: true }); write(path.join(dir, name)); out.planted++; } catch {} }
};
// Folders like the old design's, everywhere this user may make them.
for (const base of cfg.bases) { try { mkdirSync(path.join(base, 'divest-elevate-' + cfg.tag), { recursive: true }); } catch {} }
if (cfg.mode === 'listen') {
  // Replace the app's socket with our own listener and talk to whoever connects.
  rmSync(cfg.socket, { force: true });
  const srv = net.createServer((s) => {
    let buf = '';
    s.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        try { out.heard.push(JSON.parse(line).kind); } catch { out.heard.push('?'); }
        if (out.heard.length === 1) { s.write(JSON.stringify({ kind: 'request', manualDone: [], credentials: { password: 'attacker' } }) + '\n'); out.sent++; }
      }
      save();
    });
    s.on('error', () => {});
  });
  srv.listen(cfg.socket, () => { writeFileSync(cfg.ready, 'ready'); });
}
if (cfg.mode === 'symlink-socket') { rmSync(cfg.socket, { force: true }); symlinkSync(cfg.rootSocket, cfg.socket); writeFileSync(cfg.ready, 'ready'); }
if (cfg.mode === 'cancel-symlink') { symlinkSync(cfg.victim, cfg.cancel); writeFileSync(cfg.ready, 'ready'); }
if (cfg.mode === 'plant') writeFileSync(cfg.ready, 'ready');
const tick = () => {
  if (existsSync(cfg.stop)) { save(); process.exit(0); }
  out.iterations++;
  for (const base of cfg.bases) {
    let names = [];
    try { names = readdirSync(base); } catch {}
    for (const n of names) if (n.startsWith('divest-')) plant(path.join(base, n));
  }
  try { writeFileSync(cfg.evilCatalog, out.iterations % 2 ? cfg.evilCatalogText : '{"schema":"nope"}'); out.swapped++; } catch {}
  save();
  setTimeout(tick, 5);
};
tick();
`;

interface Attack {
  proc: ChildProcess;
  log: string;
  stop: () => Promise<{
    uid: number;
    iterations: number;
    planted: number;
    swapped: number;
    heard: string[];
    sent: number;
  }>;
}

describe.skipIf(skip !== false)(
  'the elevated helper, as root, against a second user tampering with everything',
  () => {
    let user: { uid: number; gid: number; home: string };
    let work: string; // the attacker's own folder (its home)
    let rootOnly: Bed; // root's folder: marker, victim, root-only socket
    let marker: string;
    let victim: string;
    let attackerBed: Bed;
    let evilCatalog: string;
    let evilCatalogText: string;
    const beds: Bed[] = [];

    const own = (p: string): void => chownSync(p, user.uid, user.gid);
    const userDir = (prefix: string): string => {
      const d = mkdtempSync(path.join(work, prefix));
      own(d);
      return d;
    };

    beforeAll(() => {
      user = ensureTamperUser();
      work = mkdtempSync(path.join(user.home, 'divest-tamper-test-'));
      own(work);
      rootOnly = tempDir('tamper-root-only');
      chmodSync(rootOnly.root, 0o755); // the attacker may point at things here, not write here
      marker = path.join(rootOnly.root, 'attacker-script-ran-as-root');
      victim = path.join(rootOnly.root, 'victim.txt');
      writeFileSync(victim, 'root-owned, must not change\n', { mode: 0o644 });
      // The attacker's image: kesl whose prerm creates the marker, outside the image, where only root can.
      const evilKesl: FixturePackage = {
        ...bedFixtures.kesl,
        debScripts: { ...bedFixtures.kesl.debScripts, prerm: `touch '${marker}'` },
      };
      attackerBed = makeDpkgBed([evilKesl]);
      beds.push(attackerBed);
      // Control: the marker mechanism works (root removing from a copy of that image runs its prerm).
      const copy = tempDir('tamper-control');
      beds.push(copy);
      mustRun(['cp', '-a', `${attackerBed.root}/.`, copy.root]);
      mustRun(dpkgArgv(copy.root, '--remove', 'kesl'));
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);
      mustRun(['chown', '-R', `${user.uid}:${user.gid}`, attackerBed.root]);
      chmodSync(attackerBed.root, 0o755);
      // The attacker's catalog: bans "hello" as if it were Kaspersky's.
      const cat = structuredClone(builtInCatalogInput()) as {
        products: { id: string; signatures: { linux?: { packages: { name: string; refs: string[] }[] } } }[];
      };
      const kesl = cat.products.find((p) => p.id === 'kaspersky-endpoint-security-linux');
      kesl?.signatures.linux?.packages.push({ name: 'hello', refs: ['S18a'] });
      evilCatalogText = JSON.stringify(cat);
      evilCatalog = path.join(userDir('catalog-'), 'catalog.json');
      writeFileSync(evilCatalog, evilCatalogText);
      own(evilCatalog);
    }, 180_000);

    afterAll(() => {
      for (const b of beds) b.cleanup();
      rootOnly?.cleanup();
      if (work) rmSync(work, { recursive: true, force: true });
      // The look-alike folders the attacker made in /tmp.
      spawnSync('sh', ['-c', 'rm -rf /tmp/divest-elevate-attack-*']);
    });

    /** Starts the attacker; resolves once it is in place (`ready`). */
    async function attack(
      mode: 'plant' | 'listen' | 'symlink-socket' | 'cancel-symlink',
      extra: Record<string, string> = {},
    ): Promise<Attack> {
      const dir = userDir('attack-');
      const script = path.join(dir, 'attack.mjs');
      writeFileSync(script, ATTACK);
      const cfg = {
        mode,
        tag: path.basename(dir),
        log: path.join(dir, 'log.json'),
        ready: path.join(dir, 'ready'),
        stop: path.join(dir, 'stop'),
        victim,
        attackerBed: attackerBed.root,
        attackerData: userDir('attacker-data-'),
        evilCatalog,
        evilCatalogText,
        planId: '0000000000000000',
        bases: ['/tmp', work],
        ...extra,
      };
      writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
      for (const f of ['attack.mjs', 'cfg.json']) own(path.join(dir, f));
      const proc = spawn(
        'runuser',
        ['-u', TAMPER, '--', process.execPath, script, path.join(dir, 'cfg.json')],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let err = '';
      proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      for (let i = 0; i < 200 && !existsSync(cfg.ready); i++) await new Promise((r) => setTimeout(r, 25));
      if (!existsSync(cfg.ready)) throw new Error(`the attacker did not start: ${err}`);
      return {
        proc,
        log: cfg.log,
        stop: async () => {
          writeFileSync(cfg.stop, '');
          own(cfg.stop); // the test's own signal: not a file of root's in the attacker's folder
          await new Promise((r) => proc.once('exit', r));
          return JSON.parse(readFileSync(cfg.log, 'utf8'));
        },
      };
    }

    /** Runs the real helper as root on `bed` with `rootData` as its data folder. */
    function runHelper(
      bed: Bed,
      rootData: string,
      args: string[],
      stdin?: string,
    ): Promise<{ code: number | null; lines: HelperLine[]; stderr: string }> {
      return new Promise((resolve) => {
        const p = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            path.join(repo, 'test/electron/helper-main.ts'),
            '--test-host-root',
            bed.root,
            '--test-data-dir',
            rootData,
            '--',
            'remove',
            '--helper',
            ...args,
          ],
          { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] },
        );
        const lines: HelperLine[] = [];
        let stderr = '';
        p.stdout.on(
          'data',
          lineReader(
            HelperLine,
            (l) => lines.push(l),
            () => undefined,
          ),
        );
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        if (stdin !== undefined) p.stdin.end(stdin);
        p.on('close', (code) => resolve({ code, lines, stderr }));
      });
    }

    const bedWithKesl = (): Bed => {
      const b = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.hello]);
      beds.push(b);
      return b;
    };
    const installed = (b: Bed, name: string): boolean =>
      dpkgQuery(b.root).some((r) => r.name === name && r.abbrev.startsWith('i'));
    const rootFilesIn = (dir: string): string[] =>
      mustRun(['find', dir, '-uid', '0']).stdout.split('\n').filter(Boolean);

    /** What must hold after every scenario. */
    function nothingOfTheAttackerHappened(): void {
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(victim, 'utf8')).toBe('root-owned, must not change\n');
      expect(statSync(victim).uid).toBe(0);
      expect(installed(attackerBed, 'kesl')).toBe(true);
      expect(rootFilesIn(work)).toEqual([]);
    }

    it("the app side hands over a plan from the attacker's catalog, and a forged plan with the right id: root runs only its own plan", async () => {
      const bed = bedWithKesl();
      const appData = tempDir('tamper-app-data');
      const rootData = tempDir('tamper-root-data');
      beds.push(appData, rootData);
      const handlers = (catalogPath: string) =>
        createHandlers({
          allowImageScriptsOnHost: true,
          settings: new MemorySettingsStore({ ...DEFAULT_SETTINGS, catalogPath }),
          dataDir: appData.root,
          defaultExportFolder: appData.root,
          appVersion: '0.0.0-test',
          hostRoot: bed.root,
          hostOs: 'linux',
          emit: () => undefined,
        });
      const remover = new ElevatedRemover({
        platform: 'linux',
        helper: [
          process.execPath,
          '--import',
          'tsx',
          path.join(repo, 'test/electron/helper-main.ts'),
          '--test-host-root',
          bed.root,
          '--test-data-dir',
          path.join(rootData.root, 'divest'),
          '--',
        ],
        runner: new NodeCommandRunner(),
        elevate: (c) => [...c],
        allowImages: true,
      });
      const ws = openWorkspace({
        catalog: loadBuiltInCatalog(),
        dataDir: appData.root,
        appVersion: '0.0.0-test',
        hostRoot: bed.root,
        hostOs: 'linux',
      });
      const job = (plan: Parameters<ElevatedRemover['run']>[0]['plan']) => ({
        plan,
        manualDone: [],
        rebootCompleted: false,
        onProgress: () => undefined,
        signal: new AbortController().signal,
      });
      // The app refuses an unsigned catalog outright; a compromised app could still plan with it.
      await expect(handlers(evilCatalog).plan({})).rejects.toThrow(/is not a DSSE envelope/);
      const evilWs = openWorkspace({
        catalog: loadCatalogFile(evilCatalog),
        dataDir: appData.root,
        appVersion: '0.0.0-test',
        hostRoot: bed.root,
        hostOs: 'linux',
      });
      const evilPlan = (await planAndRecord(evilWs, { allowImageScriptsOnHost: true })).plan;
      expect(evilPlan.steps.some((s) => s.argv.includes('hello'))).toBe(true);
      const real = (await handlers('').plan({})).plan;
      const a = await attack('plant', { planId: real.id });
      try {
        // 1. The plan made with the attacker's catalog (it would purge "hello"): refused.
        const refused = await remover.run(job(evilPlan), ws).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(DivestError);
        expect((refused as DivestError).code).toBe('plan-changed');
        expect(installed(bed, 'hello')).toBe(true);
        expect(installed(bed, 'kesl')).toBe(true);
        // 2. The right id with the attacker's commands: root runs ITS plan (dpkg on kesl), never these.
        const forged = {
          ...real,
          steps: real.steps.map((s) => ({ ...s, argv: ['/bin/sh', '-c', `touch '${marker}'`] })),
        };
        const summary: RemovalSummary = await remover.run(job(forged), ws);
        // Removed; the bed has no active antivirus, so the verdict says UNPROTECTED (exit 40).
        expect(summary.verdict.state).toBe('removed-unprotected');
        expect(summary.exitCode).toBe(40);
        expect(summary.results.flatMap((r) => r.argv).join(' ')).toContain('dpkg');
        expect(summary.results.flatMap((r) => r.argv).join(' ')).not.toContain('touch');
        expect(installed(bed, 'kesl')).toBe(false);
        expect(installed(bed, 'hello')).toBe(true);
      } finally {
        const log = await a.stop();
        // The attacker really ran as the other user, and really tampered.
        expect(log.uid).toBe(user.uid);
        expect(log.iterations).toBeGreaterThan(10);
        expect(log.planted).toBeGreaterThan(0);
        expect(log.swapped).toBeGreaterThan(10);
      }
      nothingOfTheAttackerHappened();
    }, 300_000);

    it("stdio: a symlink at the cancel file's place only stops root before its first step; nothing is followed or written", async () => {
      const bed = bedWithKesl();
      const rootData = tempDir('tamper-root-data');
      beds.push(rootData);
      const ws = openWorkspace({
        catalog: loadBuiltInCatalog(),
        dataDir: tempDir('tamper-plan').root,
        appVersion: '0.0.0-test',
        hostRoot: bed.root,
        hostOs: 'linux',
      });
      const planId = (
        await createHandlers({
          allowImageScriptsOnHost: true,
          settings: new MemorySettingsStore(DEFAULT_SETTINGS),
          dataDir: ws.dataDir,
          defaultExportFolder: ws.dataDir,
          appVersion: 'x',
          hostRoot: bed.root,
          hostOs: 'linux',
          emit: () => undefined,
        }).plan({})
      ).plan.id;
      const folder = mkdtempSync(path.join(userDir('app-tmp-'), 'divest-helper-'));
      own(folder);
      const cancel = path.join(folder, 'cancel');
      const a = await attack('cancel-symlink', { cancel });
      let r;
      try {
        r = await runHelper(
          bed,
          path.join(rootData.root, 'divest'),
          ['--plan-id', planId, '--channel', 'stdio', '--cancel-file', cancel],
          encodeLine({ kind: 'request', manualDone: [] }),
        );
      } finally {
        await a.stop();
      }
      const summary = r.lines.find((l) => l.kind === 'summary');
      expect(summary?.kind === 'summary' && summary.summary.status).toBe('cancelled');
      expect(installed(bed, 'kesl')).toBe(true);
      nothingOfTheAttackerHappened();
      rmSync(ws.dataDir, { recursive: true, force: true });
    }, 300_000);

    describe('socket (the Windows pipe and macOS socket code)', () => {
      /** The app's side: a listener in a folder of the attacker's, counting connections. */
      async function appSocket(): Promise<{ socket: string; server: net.Server; connections: () => number }> {
        const folder = mkdtempSync(path.join(userDir('app-tmp-'), 'divest-helper-'));
        own(folder);
        const socket = path.join(folder, 'helper.sock');
        let n = 0;
        const server = net.createServer((s) => {
          n++;
          s.destroy();
        });
        await new Promise<void>((r) => server.listen(socket, r));
        own(socket);
        return { socket, server, connections: () => n };
      }

      it("a symlink put at the socket's place is refused, never followed (the root-only socket hears nothing)", async () => {
        const bed = bedWithKesl();
        const rootData = tempDir('tamper-root-data');
        beds.push(rootData);
        const rootSocketDir = mkdtempSync(path.join(rootOnly.root, 'sock-'));
        chmodSync(rootSocketDir, 0o755);
        const rootSocket = path.join(rootSocketDir, 'root-only.sock');
        let heard = 0;
        const rootServer = net.createServer((s) => {
          heard++;
          s.destroy();
        });
        await new Promise<void>((r) => rootServer.listen(rootSocket, r));
        const app = await appSocket();
        const a = await attack('symlink-socket', { socket: app.socket, rootSocket });
        let r;
        try {
          r = await runHelper(bed, path.join(rootData.root, 'divest'), [
            '--plan-id',
            'f'.repeat(16),
            '--channel',
            'socket',
            '--socket',
            app.socket,
            '--token',
            'a'.repeat(64),
          ]);
        } finally {
          await a.stop();
          rootServer.close();
          app.server.close();
        }
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("is not the app's socket");
        expect(heard).toBe(0);
        expect(app.connections()).toBe(0);
        expect(installed(bed, 'kesl')).toBe(true);
        nothingOfTheAttackerHappened();
      }, 300_000);

      it("the attacker's own listener in the socket's place gets the helper: it can only ask for root's own plan", async () => {
        const bed = bedWithKesl();
        const rootData = tempDir('tamper-root-data');
        beds.push(rootData);
        const planDir = tempDir('tamper-plan');
        beds.push(planDir);
        const planId = (
          await createHandlers({
            allowImageScriptsOnHost: true,
            settings: new MemorySettingsStore(DEFAULT_SETTINGS),
            dataDir: planDir.root,
            defaultExportFolder: planDir.root,
            appVersion: 'x',
            hostRoot: bed.root,
            hostOs: 'linux',
            emit: () => undefined,
          }).plan({})
        ).plan.id;
        const app = await appSocket();
        const a = await attack('listen', { socket: app.socket });
        let r;
        let log;
        try {
          r = await runHelper(bed, path.join(rootData.root, 'divest'), [
            '--plan-id',
            planId,
            '--channel',
            'socket',
            '--socket',
            app.socket,
            '--token',
            'c'.repeat(64),
          ]);
        } finally {
          log = await a.stop();
          app.server.close();
        }
        expect(r.code).toBe(0);
        // The attacker heard the helper's token and its progress, and its request could only start
        // root's own plan: kesl removed from the real bed; its image, the marker and the victim untouched.
        expect(log.sent).toBe(1);
        expect(log.heard[0]).toBe('hello');
        expect(new Set(log.heard)).toEqual(new Set(['hello', 'progress', 'journal', 'summary']));
        expect(installed(bed, 'kesl')).toBe(false);
        expect(installed(bed, 'hello')).toBe(true);
        nothingOfTheAttackerHappened();
      }, 300_000);
    });
  },
);
