/**
 * The Windows command line the elevation builds (main/elevate.ts `windowsCommandLine`, the one
 * string given to `Start-Process -ArgumentList`), parsed by a real Windows program: Node for
 * Windows (node.exe) under Wine. A parent node.exe starts a child node.exe with exactly that
 * string as its command line (`windowsVerbatimArguments`: CreateProcessW gets it unchanged, as
 * ShellExecuteEx does from Start-Process), and the child reports `process.argv` as Windows' C
 * runtime split it. Spaces, quotes, backslashes before quotes, trailing backslashes, tabs, empty
 * arguments and Unicode must all come back exactly.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { windowsCommandLine } from '../../main/elevate';
import type { WinePrefix } from '../beds/windows';
import { createTemplatePrefix, ensureNodeExe, zPath } from '../beds/windows';

function whyNot(): string | false {
  for (const t of ['wine', 'wineserver'])
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)
      return `not installed: ${t} (apt-get install -y wine64)`;
  return false;
}
const skip = process.env.CI ? false : whyNot();
if (skip) console.warn(`[windows quoting] skipping: ${skip}`);

const CASES: string[][] = [
  ['remove', '--helper', '--plan-id', '0123456789abcdef', '--channel', 'socket'],
  ['C:\\Program Files\\Divest\\resources\\bin\\divest.exe', 'C:\\Users\\Jane Doe\\AppData\\Local\\Temp'],
  ['say "hello"', '"', '""', 'a"b"c'],
  ['back\\"slash', 'two\\\\"', 'C:\\dir\\"quoted"\\'],
  ['trailing\\', 'C:\\with space\\', 'C:\\two\\\\', '\\\\server\\share with space\\'],
  ['', 'tab\there', ' leading', 'trailing ', '  '],
  ['Ünïcødé', 'Дивест', '日本語 テキスト', '✓ ✗', 'emoji 🦊'],
  ['%PATH%', '^&|<>', "it's", '$(x)', '--x=a b'],
];

describe.skipIf(skip !== false)('Windows command-line quoting, parsed by node.exe under Wine', () => {
  let prefix: WinePrefix;
  let dir: string;
  let nodeExe: string;
  beforeAll(() => {
    nodeExe = ensureNodeExe();
    prefix = createTemplatePrefix();
    dir = mkdtempSync(path.join(tmpdir(), 'divest-quoting-'));
  }, 300_000);
  afterAll(() => {
    prefix?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every argument comes back exactly as it went in', () => {
    writeFileSync(
      path.join(dir, 'child.js'),
      'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n',
    );
    writeFileSync(
      path.join(dir, 'parent.js'),
      [
        "const { spawnSync } = require('child_process');",
        "const lines = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));",
        'const out = lines.map((line) => {',
        // The command line is "<node.exe> <child.js> " + the string under test, verbatim.
        "  const r = spawnSync(process.execPath, [process.argv[3], line], { windowsVerbatimArguments: true, encoding: 'utf8' });",
        '  return r.error ? { error: String(r.error) } : JSON.parse(r.stdout);',
        '});',
        'process.stdout.write(JSON.stringify(out));',
      ].join('\n'),
    );
    const lines = CASES.map((c) => windowsCommandLine(c));
    writeFileSync(path.join(dir, 'lines.json'), JSON.stringify(lines));
    for (const p of [nodeExe, dir]) expect(p).not.toMatch(/\s/); // verbatim: the program's own path is unquoted
    const r = prefix.run(
      [
        zPath(nodeExe),
        zPath(path.join(dir, 'parent.js')),
        zPath(path.join(dir, 'lines.json')),
        zPath(path.join(dir, 'child.js')),
      ],
      {
        timeoutMs: 240_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(CASES);
  }, 300_000);

  it('the naive join that Start-Process does with an array splits and loses them (the bug this fixes)', () => {
    const naive = CASES[1]!.join(' ');
    writeFileSync(path.join(dir, 'lines.json'), JSON.stringify([naive]));
    const r = prefix.run(
      [
        zPath(nodeExe),
        zPath(path.join(dir, 'parent.js')),
        zPath(path.join(dir, 'lines.json')),
        zPath(path.join(dir, 'child.js')),
      ],
      {
        timeoutMs: 240_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0]).not.toEqual(CASES[1]);
    expect(JSON.parse(r.stdout)[0]).toContain('Files\\Divest\\resources\\bin\\divest.exe');
  }, 300_000);
});
