/**
 * The packaged app's layout, without Electron's zip (which `electron-builder --dir` would need):
 * electron-builder's own file matchers, built from the release configuration by its own
 * packager, select the app's files with its own walker; @electron/asar packs exactly those into
 * app.asar; the test reads the archive back. Then the paths the app resolves at run time are
 * looked up in it (preload, renderer and the renderer's assets), the CLI is staged and copied
 * with electron-builder's extraResources matchers to where main/helper-program.ts looks for it,
 * and the hook refuses to package without the CLI.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliFileName, packagedCliPath } from '../../main/helper-program';
import beforePack, { stageCli } from '../../scripts/before-pack.mjs';
import { Arch, Platform, REPO, appBuilder, packagerFor, platformPackager } from './builder';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  createPackageFromFiles(src: string, dest: string, files: string[]): Promise<unknown>;
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};
const { walk } = require('builder-util') as {
  walk(dir: string, filter: (file: string, stat: { isDirectory(): boolean }) => boolean): Promise<string[]>;
};

describe('app.asar, as the release configuration selects it', () => {
  let work: string;
  let archive: string;
  let entries: string[];
  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['scripts/build-app.mjs'], { cwd: REPO, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build-app failed: ${build.stderr}`);
    const linux = await platformPackager(
      await packagerFor('electron-builder.yml', Platform.LINUX),
      Platform.LINUX,
    );
    const macroExpander = (p: string) => linux.expandMacro(p, 'x64', { '/*': '{,/**/*}' });
    const matchers = appBuilder.fileMatcher.getMainFileMatchers(
      REPO,
      '/app',
      macroExpander,
      linux.platformSpecificBuildOptions,
      linux,
      path.join(REPO, 'dist'),
      false,
    );
    expect(matchers).toHaveLength(1);
    const files = await walk(REPO, matchers[0].createFilter());
    // What electron-builder's node-module copier would add: the production dependencies, through
    // the `files` excludes. Divest's main bundle carries what it needs, so: nothing.
    const modules = appBuilder.fileMatcher.getNodeModuleFileMatcher(
      REPO,
      '/app',
      macroExpander,
      linux.platformSpecificBuildOptions,
      linux.info,
    );
    const depFilter = modules.createFilter();
    const deps = Object.keys(
      JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).dependencies ?? {},
    );
    const depFiles = deps
      .flatMap((d) => [path.join(REPO, 'node_modules', d, 'package.json')])
      .filter((f) => depFilter(f, statSync(f)));
    expect(depFiles).toEqual([]);
    work = mkdtempSync(path.join(tmpdir(), 'divest-asar-'));
    archive = path.join(work, 'app.asar');
    await asar.createPackageFromFiles(REPO, archive, files);
    entries = asar.listPackage(archive, { isPack: false }).map((e) => e.replace(/\\/g, '/'));
  }, 240_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds main, preload, renderer and package.json, and nothing else', () => {
    for (const f of [
      '/package.json',
      '/out/main/index.cjs',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
    ])
      expect(entries).toContain(f);
    const unexpected = entries.filter(
      (e) => !/^\/(package\.json|out|out\/(main|preload|renderer)(\/.*)?)$/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(entries.filter((e) => e.endsWith('.map'))).toEqual([]);
    expect(entries.filter((e) => /node_modules|\/test\/|\.ts$|\/sea(-stage)?\b/.test(e))).toEqual([]);
  });
  it('has a main bundle that needs nothing but Electron and Node (no node_modules in the archive)', () => {
    const main = asar.extractFile(archive, 'out/main/index.cjs').toString('utf8');
    const required = new Set([...main.matchAll(/(?<![`'])require\("([^"]+)"\)/g)].map((m) => m[1]!));
    const builtins = new Set(require('node:module').builtinModules as string[]);
    expect([...required].filter((r) => r !== 'electron' && !builtins.has(r.replace(/^node:/, '')))).toEqual(
      [],
    );
    expect(main).not.toContain('electron-store-get-data');
  });
  it('has what the app resolves at run time: preload and renderer beside out/main, and every asset the page loads', () => {
    const mainDir = '/out/main';
    expect(entries).toContain(path.posix.join(mainDir, '..', 'preload', 'index.cjs'));
    const html = asar.extractFile(archive, 'out/renderer/index.html').toString('utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `/out/renderer/${m[1]}`);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(entries).toContain(a);
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
    expect(pkg.main).toBe('out/main/index.cjs');
  });
});

describe('the CLI in resources/bin', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'divest-stage-'));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('is refused clearly when npm run build:sea did not run', async () => {
    expect(() => stageCli(project, 'linux', 'x64')).toThrow(/missing .*run "npm run build:sea" on linux x64/);
    await expect(
      beforePack({ packager: { projectDir: project }, electronPlatformName: 'win32', arch: Arch.x64! }),
    ).rejects.toThrow(/divest-win-x64\.exe/);
    expect(() => stageCli(project, 'darwin', 'universal')).toThrow(/universal/);
  });
  it.each([
    ['linux', Platform.LINUX, 'divest-linux-x64'],
    ['win32', Platform.WINDOWS, 'divest-win-x64.exe'],
    ['darwin', Platform.MAC, 'divest-macos-x64'],
  ] as const)(
    '%s: staged and copied by the extraResources matchers to where the app looks for it',
    async (platform, p, sea) => {
      mkdirSync(path.join(project, 'out', 'sea'), { recursive: true });
      writeFileSync(path.join(project, 'out', 'sea', sea), `stand-in for ${sea}\n`);
      const staged = stageCli(project, platform, 'x64');
      expect(statSync(staged).mode & 0o777).toBe(0o755);
      const pp = await platformPackager(await packagerFor(path.join(REPO, 'electron-builder.yml'), p), p);
      const appOut = path.join(project, `app-${platform}`);
      const resources = pp.getResourcesDir(appOut) as string;
      const options = {
        ...pp.createGetFileMatchersOptions(appOut, Arch.x64, pp.platformSpecificBuildOptions),
        defaultSrc: project,
      };
      const matchers = appBuilder.fileMatcher.getFileMatchers(
        pp.config,
        'extraResources',
        resources,
        options,
      );
      await appBuilder.fileMatcher.copyFiles(matchers, null);
      const cli = packagedCliPath(resources, platform);
      expect(path.basename(cli)).toBe(cliFileName(platform));
      expect(existsSync(cli)).toBe(true);
      expect(readFileSync(cli, 'utf8')).toBe(`stand-in for ${sea}\n`);
    },
  );
  it("Windows: the installer's PATH script ships beside it (resources/windows/machine-path.ps1)", async () => {
    const pp = await platformPackager(
      await packagerFor('electron-builder.yml', Platform.WINDOWS),
      Platform.WINDOWS,
    );
    const appOut = path.join(project, 'app-win-ps1');
    const resources = pp.getResourcesDir(appOut) as string;
    const options = pp.createGetFileMatchersOptions(appOut, Arch.x64, pp.platformSpecificBuildOptions);
    const matchers = appBuilder.fileMatcher
      .getFileMatchers(pp.config, 'extraResources', resources, options)
      .filter((m: { from: string }) => m.from === path.join(REPO, 'build', 'windows'));
    await appBuilder.fileMatcher.copyFiles(matchers, null);
    expect(readFileSync(path.join(resources, 'windows', 'machine-path.ps1'), 'utf8')).toContain(
      'ExpandString',
    );
    expect(existsSync(path.join(resources, 'windows', 'installer.nsh'))).toBe(false);
  });
});
