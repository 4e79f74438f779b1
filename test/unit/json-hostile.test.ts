/**
 * Hostile JSON from the renderer or a file the user names (issue 15.15): a receipt nested millions
 * deep is refused in milliseconds before parsing (before: 13-30 s and 2 GB in the main process), and
 * a file that is not JSON — `/etc/shadow` named as a catalog — is refused without its first
 * characters being echoed back to whoever asked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogFile } from '../../core/catalog/load';
import { loadSignedCatalogFile } from '../../core/catalog/release/import';
import { verifyReceipt } from '../../core/receipt/verify';
import { catalogPathProblem } from '../../core/usecases/settings-check';
import { jsonDepthExceeds, jsonSyntaxMessage } from '../../core/validation';

const dir = mkdtempSync(path.join(os.tmpdir(), 'divest-json-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SHADOW = 'root:$6$Zq8secretSALT$hashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';

describe('deeply nested JSON', () => {
  it('a receipt nested 9 million deep is refused before parsing, in well under a second', () => {
    const depth = 9_000_000;
    const text = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const t0 = performance.now();
    const v = verifyReceipt(text);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(v.valid).toBe(false);
    expect(v.problems[0]).toMatch(/^nested more than 64 levels deep/);
  });
  it('counts only structure: brackets inside strings do not nest', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: '['.repeat(1000), b: ['{{{"\\"'] }), 3)).toBeUndefined();
    expect(jsonDepthExceeds('[[[[1]]]]', 3)).toEqual({ position: 3 });
  });
  it('a catalog file nested too deep is refused by name', () => {
    const file = path.join(dir, 'deep.json');
    writeFileSync(file, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(() => loadCatalogFile(file)).toThrow(/nested more than 64 levels deep/);
  });
});

describe('a file that is not JSON is not echoed back', () => {
  const file = path.join(dir, 'shadow');
  writeFileSync(file, SHADOW);
  const leaks = (message: string) => /root|secret|\$6\$|daemon/.test(message);

  it('as an unsigned catalog file', () => {
    let message = '';
    try {
      loadCatalogFile(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/is not valid JSON: an unexpected character/);
    expect(leaks(message)).toBe(false);
  });
  it("as the app's catalog setting (a signed release is expected)", () => {
    const problem = catalogPathProblem(file, (f) =>
      loadSignedCatalogFile(f, { dataDir: dir, appVersion: '0.1.0' }),
    );
    expect(problem).toMatch(/not a catalog Divest can use/);
    expect(leaks(problem ?? '')).toBe(false);
  });
  it('as a receipt, keeping the position', () => {
    const v = verifyReceipt(SHADOW);
    expect(leaks(v.problems.join(' '))).toBe(false);
    expect(
      jsonSyntaxMessage(new SyntaxError('Expected double-quoted property name in JSON at position 15')),
    ).toBe('Expected double-quoted property name at character 15');
  });
});
