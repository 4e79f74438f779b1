/**
 * The settings in electron-store: a JSON file in the app's user-data folder, with a JSON Schema
 * (checked by electron-store on every write) and defaults, behind the `SettingsStore` interface
 * the handlers use. electron-store is ESM-only; the main bundle includes it (scripts/build-app.mjs).
 *
 * Settings only: the journal and receipts have their own files (electron-store rewrites its whole
 * file on each change and its encryption is not integrity).
 */
import Store from 'electron-store';
import { DEFAULT_SETTINGS, Settings } from '../core/api';
import type { SettingsStore } from './handlers';

/** electron-store's JSON Schema for the settings (the zod schema in core/api.ts is the source). */
export const SETTINGS_JSON_SCHEMA = {
  operatorName: { type: 'string', maxLength: 200, default: DEFAULT_SETTINGS.operatorName },
  organisation: { type: 'string', maxLength: 200, default: DEFAULT_SETTINGS.organisation },
  exportFolder: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.exportFolder },
  theme: { type: 'string', enum: ['system', 'light', 'dark'], default: DEFAULT_SETTINGS.theme },
  catalogPath: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.catalogPath },
  paperSize: { type: 'string', enum: ['letter', 'a4'], default: DEFAULT_SETTINGS.paperSize },
} as const;

/** Settings kept by electron-store. */
export class ElectronSettingsStore implements SettingsStore {
  readonly #store: Store<Settings>;

  constructor() {
    this.#store = new Store<Settings>({
      name: 'settings',
      schema: SETTINGS_JSON_SCHEMA,
      defaults: DEFAULT_SETTINGS,
      clearInvalidConfig: true,
    });
  }

  get(): Settings {
    const parsed = Settings.safeParse(this.#store.store);
    return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
  }

  set(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.get(), ...patch });
    this.#store.set(next);
    return next;
  }
}
