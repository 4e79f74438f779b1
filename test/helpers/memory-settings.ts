/**
 * Settings kept in memory, for the handlers in tests and in the browser harness (the app keeps
 * them in a file with conf, main/settings-store.ts).
 */
import type { Settings } from '../../core/api';
import type { SettingsStore } from '../../main/handlers';

export class MemorySettingsStore implements SettingsStore {
  #value: Settings;

  constructor(initial: Settings) {
    this.#value = { ...initial };
  }

  get(): Settings {
    return { ...this.#value };
  }

  set(patch: Partial<Settings>): Settings {
    this.#value = { ...this.#value, ...patch };
    return this.get();
  }
}
