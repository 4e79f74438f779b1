/**
 * The app's jurisdiction setting in settings.json (conf): saved and read back, an older settings
 * file without it reads as "all", and a value that is not jurisdiction codes is refused.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../../core/api';
import { FileSettingsStore } from '../../main/settings-store';
import { tempDir } from '../beds/linux';

describe('settings.json: jurisdictions', () => {
  it('keeps the codes, reads an older file as all, and refuses anything else', () => {
    const d = tempDir('settings-jurisdictions');
    try {
      const file = path.join(d.root, 'settings.json');
      const old = { ...DEFAULT_SETTINGS } as Record<string, unknown>;
      delete old.jurisdictions;
      writeFileSync(file, JSON.stringify({ ...old, operatorName: 'Ada' }));
      const s = new FileSettingsStore(d.root);
      expect(s.get()).toMatchObject({ operatorName: 'Ada', jurisdictions: '' });
      s.set({ jurisdictions: 'AU,US-NH' });
      expect(JSON.parse(readFileSync(file, 'utf8')).jurisdictions).toBe('AU,US-NH');
      expect(new FileSettingsStore(d.root).get().jurisdictions).toBe('AU,US-NH');
      for (const bad of ['uk', 'US,', 'Germany', 'US;AU'])
        expect(() => s.set({ jurisdictions: bad }), bad).toThrow();
      expect(new FileSettingsStore(d.root).get().jurisdictions).toBe('AU,US-NH');
    } finally {
      d.cleanup();
    }
  });
});
