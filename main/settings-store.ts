/**
 * The settings in `conf`: a JSON file (`settings.json`) in the app's user-data folder, with a JSON
 * Schema (checked by conf on every write) and defaults, behind the `SettingsStore` interface the
 * handlers use. conf is ESM-only; the main bundle includes it (scripts/build-app.mjs).
 *
 * `conf` directly, not electron-store (which wraps it): electron-store's constructor registers its
 * own IPC listener, `electron-store-get-data`, that answers any renderer with the user-data path
 * and the app version, outside the app's sender check (main/ipc.ts), and has no option to turn it
 * off. The file is the same one electron-store wrote (same folder, same name).
 *
 * Settings only: the journal and receipts have their own files (conf rewrites its whole file on
 * each change and its encryption is not integrity).
 */
import Conf from 'conf';
import { DEFAULT_SETTINGS, Settings } from '../core/api';
import type { SettingsStore } from './handlers';

/** conf's JSON Schema for the settings (the zod schema in core/api.ts is the source). */
export const SETTINGS_JSON_SCHEMA = {
  operatorName: { type: 'string', maxLength: 200, default: DEFAULT_SETTINGS.operatorName },
  organisation: { type: 'string', maxLength: 200, default: DEFAULT_SETTINGS.organisation },
  exportFolder: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.exportFolder },
  theme: { type: 'string', enum: ['system', 'light', 'dark'], default: DEFAULT_SETTINGS.theme },
  catalogPath: { type: 'string', maxLength: 4096, default: DEFAULT_SETTINGS.catalogPath },
  paperSize: { type: 'string', enum: ['letter', 'a4'], default: DEFAULT_SETTINGS.paperSize },
  jurisdictions: {
    type: 'string',
    maxLength: 400,
    pattern: '^([A-Z]{2}(-[A-Z0-9]{1,3})?(,[A-Z]{2}(-[A-Z0-9]{1,3})?)*)?$',
    default: DEFAULT_SETTINGS.jurisdictions,
  },
} as const;

/** Settings kept in `<folder>/settings.json` (the app passes its user-data folder). */
export class FileSettingsStore implements SettingsStore {
  readonly #store: Conf<Settings>;

  constructor(folder: string) {
    this.#store = new Conf<Settings>({
      cwd: folder,
      configName: 'settings',
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
