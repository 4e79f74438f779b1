/**
 * The packaging configurations, with electron-builder itself: every configuration passes its
 * schema; the release refuses to sign nothing (electron-builder's own Windows and macOS signing
 * code throws with the release configuration and no certificate, and lets the development
 * configuration through unsigned); the development configuration is a different app and only an
 * explicit DIVEST_UNSIGNED=1 selects it; scripts/check-release-config.mjs finds each weakening.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DATA_DIR_SDDL, KEYS_DIR_SDDL } from '../../core/helper/trusted';
import { seaFileName } from '../../main/helper-program';
import {
  checkConfigs,
  devProblems,
  loadBuilderConfig,
  releaseProblems,
} from '../../scripts/check-release-config.mjs';
import { chooseConfig } from '../../scripts/package.mjs';
import { macChecks } from '../../scripts/after-sign.mjs';
import { seaFileName as hookSeaFileName } from '../../scripts/before-pack.mjs';
import {
  DATA_DIR_SDDL as MSI_DATA_SDDL,
  KEYS_DIR_SDDL as MSI_KEYS_SDDL,
} from '../../build/msi-project-created.mjs';
import { Platform, REPO, packagerFor, platformPackager } from './builder';

describe('the configurations', () => {
  it.each(['electron-builder.yml', 'electron-builder.dev.yml', 'electron-builder.e2e.yml'])(
    "%s passes electron-builder's schema and loads its hooks",
    async (file) => {
      const p = await packagerFor(file);
      expect(p.config.appId).toMatch(/^gov\.divest\.app/);
    },
    60_000,
  );
  it('the release and the dev configuration pass scripts/check-release-config.mjs', async () => {
    expect(await checkConfigs()).toEqual([]);
  });
  it('names the app Divest in the packaged package.json, and the dev and e2e builds otherwise', async () => {
    const rel = await packagerFor('electron-builder.yml');
    expect([rel.metadata.productName, rel.metadata.desktopName, rel.appInfo.productName]).toEqual([
      'Divest',
      'gov.divest.app.desktop',
      'Divest',
    ]);
    const dev = await packagerFor('electron-builder.dev.yml');
    expect([dev.metadata.productName, dev.appInfo.id]).toEqual(['Divest Dev', 'gov.divest.app.dev']);
    const e2e = await packagerFor('electron-builder.e2e.yml');
    expect([
      e2e.metadata.productName,
      e2e.config.forceCodeSigning,
      e2e.config.electronFuses.enableNodeCliInspectArguments,
    ]).toEqual(['Divest E2E', false, true]);
    expect((await platformPackager(rel, Platform.LINUX)).executableName).toBe('divest-app');
  }, 60_000);
});

describe('a release that cannot be signed is not built', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'divest-sign-'));
    writeFileSync(path.join(dir, 'Divest.exe'), 'MZ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const noCertificate = () => {
    const keys = ['CSC_LINK', 'WIN_CSC_LINK', 'CSC_NAME', 'CSC_KEY_PASSWORD', 'WIN_CSC_KEY_PASSWORD'];
    const saved = process.env;
    process.env = Object.fromEntries(Object.entries(saved).filter(([k]) => !keys.includes(k)));
    return () => {
      process.env = saved;
    };
  };

  it("Windows: electron-builder's signing throws with the release configuration and no certificate", async () => {
    const restore = noCertificate();
    try {
      const win = await platformPackager(
        await packagerFor('electron-builder.yml', Platform.WINDOWS),
        Platform.WINDOWS,
      );
      await expect(win.signIf(path.join(dir, 'Divest.exe'))).rejects.toThrow(
        /App is not signed and "forceCodeSigning" is set to true/,
      );
      const dev = await platformPackager(
        await packagerFor('electron-builder.dev.yml', Platform.WINDOWS),
        Platform.WINDOWS,
      );
      await expect(dev.signIf(path.join(dir, 'Divest.exe'))).resolves.toBe(false);
    } finally {
      restore();
    }
  }, 60_000);
  it('macOS: with signing switched off the release throws; the dev configuration skips signing', async () => {
    const mac = await platformPackager(await packagerFor('electron-builder.yml', Platform.MAC), Platform.MAC);
    expect(mac.forceCodeSigning).toBe(true);
    expect(() => mac.helper.handleNullIdentity()).toThrow(/forceCodeSigning is set to true/);
    const dev = await platformPackager(
      await packagerFor('electron-builder.dev.yml', Platform.MAC),
      Platform.MAC,
    );
    expect(dev.forceCodeSigning).toBe(false);
    expect(dev.helper.handleNullIdentity()).toBe(false);
  }, 60_000);
  it('the after-sign hook checks signature and notarisation of the macOS app', () => {
    expect(macChecks('/o/Divest.app')).toEqual([
      ['codesign', '--verify', '--deep', '--strict', '--verbose=2', '/o/Divest.app'],
      ['xcrun', 'stapler', 'validate', '/o/Divest.app'],
    ]);
  });
});

describe('scripts/check-release-config.mjs', () => {
  it.each([
    ['forceCodeSigning', { forceCodeSigning: false }, /forceCodeSigning must be true/],
    ['mac.notarize', { mac: { notarize: false } }, /notarize must be true/],
    ['win signing', { win: { signAndEditExecutable: false } }, /win must sign/],
    [
      'the inspect fuse',
      { electronFuses: { enableNodeCliInspectArguments: true } },
      /enableNodeCliInspectArguments must be false/,
    ],
    ['runAsNode', { electronFuses: { runAsNode: true } }, /runAsNode must be false/],
    ['the CLI', { extraResources: [] }, /the CLI/],
    ['the product name', { extraMetadata: { productName: 'divest' } }, /productName must be Divest/],
    ['the executable name', { linux: { executableName: 'divest' } }, /divest-app/],
    [
      'the AppArmor profile',
      { deb: { appArmorProfile: 'nope.profile' } },
      /deb.appArmorProfile: nope.profile does not exist/,
    ],
    ['mac identity null', { mac: { identity: null } }, /identity must not be null/],
  ])('finds a release without %s', async (_what, change, problem) => {
    const rel = (await loadBuilderConfig('electron-builder.yml')) as Record<string, Record<string, unknown>>;
    const merged: Record<string, unknown> = { ...rel };
    for (const [k, v] of Object.entries(change))
      merged[k] = v && typeof v === 'object' && !Array.isArray(v) ? { ...(rel[k] ?? {}), ...v } : v;
    expect(releaseProblems(merged, REPO).join('\n')).toMatch(problem);
  });
  it('finds a dev configuration that is the release under another file name', async () => {
    const rel = await loadBuilderConfig('electron-builder.yml');
    expect(devProblems(rel, rel).length).toBeGreaterThan(2);
  });
});

describe('choosing the configuration', () => {
  it('is the release unless DIVEST_UNSIGNED=1 says otherwise, and nothing else is guessed', () => {
    expect(chooseConfig({})).toEqual({ file: 'electron-builder.yml', release: true });
    expect(chooseConfig({ DIVEST_UNSIGNED: '1' })).toEqual({
      file: 'electron-builder.dev.yml',
      release: false,
    });
    expect(() => chooseConfig({ DIVEST_UNSIGNED: 'yes' })).toThrow(/must be 1/);
    expect(() => chooseConfig({ DIVEST_UNSIGNED: '0' })).toThrow(/must be 1/);
  });
});

describe('facts written in two languages agree', () => {
  it('the SEA file names (build hook and app)', () => {
    for (const [p, a] of [
      ['linux', 'x64'],
      ['win32', 'x64'],
      ['darwin', 'arm64'],
      ['darwin', 'x64'],
    ] as const)
      expect(hookSeaFileName(p, a)).toBe(seaFileName(p, a));
  });
  it('the data folder ACL (MSI hook and elevated helper)', () => {
    expect([MSI_DATA_SDDL, MSI_KEYS_SDDL]).toEqual([DATA_DIR_SDDL, KEYS_DIR_SDDL]);
  });
});
