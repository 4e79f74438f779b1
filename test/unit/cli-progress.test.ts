/**
 * The CLI at a terminal: the progress line appears only on a terminal's stderr and never with
 * --json, rewrites itself in place, never lets text from a machine reach the terminal raw; and
 * the human scan table of a real scan of a real dpkg bed fits 100 columns.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatScan } from '../../cli/scan-command';
import { progressLine } from '../../cli/progress-line';
import { safeStream } from '../../cli/safe-output';
import { wrap } from '../../cli/table';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { NodeCommandRunner } from '../../core/host/runner';
import { scanHost } from '../../core/scan/scan';
import { bedFixtures, makeDpkgBed, skipReason } from '../beds/linux';

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  columns?: number;
  constructor(tty: boolean) {
    super();
    if (tty) {
      this.isTTY = true;
      this.columns = 60;
    }
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('the progress line', () => {
  it('is silent when stderr is not a terminal, and with --json', () => {
    for (const [tty, json] of [
      [false, false],
      [true, true],
    ] as const) {
      const err = new Capture(tty);
      const line = progressLine(err, { json });
      line.update('Scanning: 1 of 4 parts done');
      line.clear();
      expect(err.text).toBe('');
    }
  });

  it('at a terminal: rewrites in place, fits the width, and escapes what came from the machine', () => {
    const raw = new Capture(true);
    const err = safeStream(raw);
    const line = progressLine(err, { json: false });
    line.update(
      'Step 1 of 2: Remove \x1b[2Jevil — running for 45 s of 10 min 00 s allowed, and much more text',
    );
    line.clear();
    expect(raw.text.startsWith('\r\x1b[K')).toBe(true);
    expect(raw.text).toContain('\\x1b[2J');
    expect(raw.text).not.toContain('\x1b[2J');
    const shown = raw.text.split('\r\x1b[K')[1] ?? '';
    expect(shown.length).toBeLessThanOrEqual(59);
    expect(raw.text.endsWith('\r\x1b[K')).toBe(true);
  });
});

describe('the human scan table', () => {
  const skip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);
  it.skipIf(skip !== false)('fits 100 columns; every directive is one flag away (--evidence)', async () => {
    const bed = makeDpkgBed([bedFixtures.kesl, bedFixtures.keslGui, bedFixtures.klnagent64]);
    try {
      const catalog = loadBuiltInCatalog();
      const result = await scanHost({
        catalog,
        runner: new NodeCommandRunner(),
        hostRoot: bed.root,
        hostOs: 'linux',
        appVersion: '0',
      });
      expect(result.findings.length).toBeGreaterThan(1);
      const text = formatScan(result, catalog, false);
      const lines = text.split('\n');
      expect(lines.find((l) => l.startsWith('PRODUCT'))).toBeTruthy();
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100);
      const details = formatScan(result, catalog, true);
      expect(details).toMatch(/Directives: .*BOD 17-01/);
    } finally {
      bed.cleanup();
    }
  });

  it('wraps prose at words', () => {
    expect(wrap('one two three four', 9, '  ', '    ')).toBe('  one two\n    three\n    four');
  });
});
