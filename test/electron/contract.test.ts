/**
 * The contract and its boundary: every method has schemas and a handler; `dispatch` refuses
 * malformed or surplus input before any side effect and never throws; mutating use cases run one
 * at a time; errors carry codes. Also the electron-builder configurations, checked against
 * electron-builder's own JSON schema and for the settings the design requires.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import {
  CONTRACT,
  DEFAULT_SETTINGS,
  EVENTS,
  EVENT_SCHEMAS,
  METHODS,
  createDivestApi,
  methodOfChannel,
} from '../../core/api';
import { createHandlers, dispatch } from '../../main/handlers';
import { MemorySettingsStore } from '../helpers/memory-settings';
import { tempDir } from '../beds/linux';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

const dirs = [tempDir('contract-data'), tempDir('contract-root')];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function handlers() {
  return createHandlers({
    allowImageScriptsOnHost: true,
    settings: new MemorySettingsStore(DEFAULT_SETTINGS),
    dataDir: dirs[0]!.root,
    defaultExportFolder: dirs[0]!.root,
    appVersion: '0.0.0-test',
    hostRoot: dirs[1]!.root,
    hostOs: 'linux',
    emit: () => undefined,
  });
}

describe('the contract', () => {
  it('names each method and event once, noun:verb, with schemas', () => {
    const channels = [...Object.values(METHODS), ...Object.values(EVENTS)];
    expect(new Set(channels).size).toBe(channels.length);
    for (const c of channels) expect(c).toMatch(/^[a-z]+:[a-z-]+$/);
    expect(Object.keys(CONTRACT).sort()).toEqual(Object.keys(METHODS).sort());
    expect(Object.keys(EVENT_SCHEMAS).sort()).toEqual(Object.keys(EVENTS).sort());
    expect(Object.keys(handlers()).sort()).toEqual(Object.keys(METHODS).sort());
    expect(methodOfChannel('scan:run')).toBe('scan');
    expect(methodOfChannel('ipc:anything')).toBeUndefined();
  });

  it('builds window.divest from a transport, with one error path', async () => {
    const api = createDivestApi({
      invoke: async (channel) => {
        if (channel === 'scan:run') throw new Error('main is gone');
        return 'not a result';
      },
      subscribe: () => () => undefined,
    });
    expect(Object.isFrozen(api)).toBe(true);
    expect(await api.scan({})).toEqual({ ok: false, error: { code: 'transport', message: 'main is gone' } });
    expect(await api.appInfo({})).toMatchObject({ ok: false, error: { code: 'transport' } });
    expect(typeof api.onScanProgress(() => undefined)).toBe('function');
    expect('ipcRenderer' in api).toBe(false);
  });
});

describe('dispatch', () => {
  const h = handlers();
  it('refuses surplus fields, wrong types and forged ids before running anything', async () => {
    expect(await dispatch(h, 'scan', { deep: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch(h, 'remove', { planId: '../../etc', acknowledged: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch(h, 'remove', { planId: '0123456789abcdef', acknowledged: false })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(
      await dispatch(h, 'remove', { planId: '0123456789abcdef', acknowledged: true, argv: ['/bin/sh'] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch(h, 'exportReceipt', { formats: ['html'] })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch(h, 'setSettings', { theme: 'neon' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch(h, 'readJournal', null)).toMatchObject({ ok: true });
  });

  it('maps failures to codes and never throws', async () => {
    expect(await dispatch(h, 'remove', { planId: '0123456789abcdef', acknowledged: true })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch(h, 'previewReceipt', {})).toMatchObject({
      ok: false,
      error: { code: 'nothing-to-receipt' },
    });
    expect(await dispatch(h, 'setSettings', { catalogPath: '/nonexistent/catalog.json' })).toMatchObject({
      ok: false,
      error: { code: 'catalog' },
    });
    expect(await dispatch(h, 'exportReceipt', { formats: ['json', 'pdf'] })).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    const v = await dispatch(h, 'verifyReceipt', { text: '{"schema":"divest.receipt/1"' });
    expect(v).toMatchObject({ ok: true, value: { valid: false } });
  });

  it('runs one mutating use case at a time', async () => {
    const [a, b] = await Promise.all([dispatch(h, 'scan', {}), dispatch(h, 'scan', {})]);
    expect([a, b].filter((r) => r.ok).length).toBe(1);
    expect([a, b].find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'busy' } });
  });

  it('returns results that satisfy the contract', async () => {
    for (const m of [
      'appInfo',
      'scan',
      'verify',
      'checkReplacement',
      'previewReceipt',
      'readJournal',
      'verifyJournal',
      'catalog',
      'getSettings',
    ] as const) {
      const r = await dispatch(h, m, {}, { checkResults: true });
      expect(r, m).toMatchObject({ ok: true });
    }
  });
});

describe('electron-builder.yml', () => {
  const yaml = require('js-yaml') as { load: (s: string) => unknown };
  const Ajv = require('ajv') as new (o: object) => {
    compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown };
  };
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const release = yaml.load(readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const e2e = yaml.load(readFileSync(path.join(repo, 'electron-builder.e2e.yml'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

  it('is valid for electron-builder (release and the e2e build)', () => {
    expect(validate(release), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(e2e), JSON.stringify(validate.errors)).toBe(true);
  });

  it('builds NSIS, MSI, DMG, AppImage and deb; offline; asInvoker; hardened', () => {
    const targets = (k: string) => JSON.stringify(release[k]?.target);
    expect(targets('win')).toContain('nsis');
    expect(targets('win')).toContain('msi');
    expect(targets('mac')).toContain('dmg');
    expect(targets('linux')).toContain('AppImage');
    expect(targets('linux')).toContain('deb');
    expect(release.publish).toBeNull();
    expect(release.win?.requestedExecutionLevel).toBe('asInvoker');
    expect(release.mac?.hardenedRuntime).toBe(true);
    expect(readFileSync(path.join(repo, String(release.mac?.entitlements)), 'utf8')).toContain(
      'com.apple.security.cs.allow-jit',
    );
    expect(release.nsis?.deleteAppDataOnUninstall).toBe(false);
    expect(String(release.msi?.upgradeCode)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets the fuses, and keeps only the inspector on in the e2e build', () => {
    expect(release.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(e2e.electronFuses).toEqual({ ...release.electronFuses, enableNodeCliInspectArguments: true });
  });
});
