/**
 * Names from the inspected machine cannot take over the operator's terminal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../../cli/safe-output';

const ESC = '\u001b';

describe('terminal-safe output', () => {
  it('neutralises escape sequences, carriage returns and bidi overrides, and keeps tabs and newlines', () => {
    expect(terminalSafe(`a${ESC}[2Jb\rc\u202ed\te\n`)).toBe('a?[2Jb?c?d\te\n');
    expect(terminalSafe('Agent d’administration de Kaspersky — Агент')).toBe(
      'Agent d’administration de Kaspersky — Агент',
    );
  });

  const root = mkdtempSync(path.join(os.tmpdir(), 'divest-esc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a package whose fields carry escape sequences is printed harmlessly by the CLI', () => {
    // A dpkg database written by hand (the format dpkg writes), with a hostile Maintainer field.
    mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
    writeFileSync(
      path.join(root, 'var/lib/dpkg/status'),
      [
        'Package: kesl',
        'Status: install ok installed',
        `Maintainer: Kaspersky Lab <support@kaspersky.com>${ESC}[2J${ESC}[1;1HNothing found.`,
        'Architecture: amd64',
        `Version: 12.1.0-1234${ESC}]0;pwned${'\u0007'}`,
        'Description: Kaspersky Endpoint Security for Linux',
        '',
      ].join('\n'),
    );
    const cli = path.join(__dirname, '..', '..', 'out', 'cli', 'divest.cjs');
    const data = path.join(root, 'data');
    for (const args of [
      ['scan', '--evidence'],
      ['plan', '--run-image-scripts-on-this-machine'],
    ]) {
      const r = spawnSync(
        process.execPath,
        [cli, ...args, '--host-root', root, '--host-os', 'linux', '--data-dir', data],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(r.status).toBe(10);
      expect(r.stdout + r.stderr).not.toContain(ESC);
      expect(r.stdout + r.stderr).not.toContain('\u0007');
      expect(r.stdout).toContain('12.1.0-1234?]0;pwned?');
    }
    // The JSON keeps the exact bytes, escaped as JSON does.
    const j = spawnSync(
      process.execPath,
      [cli, 'scan', '--json', '--host-root', root, '--host-os', 'linux', '--data-dir', data],
      {
        encoding: 'utf8',
      },
    );
    expect(j.stdout).not.toContain(ESC);
    expect(JSON.parse(j.stdout).findings[0].version).toBe(`12.1.0-1234${ESC}]0;pwned\u0007`);
  });
});
