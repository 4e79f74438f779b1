/**
 * The layers are enforced: the project's own ESLint config (the `divest/layers` table in
 * eslint.config.js) refuses a forbidden import in every layer and allows what the table allows, the
 * whole repository passes it, and the renderer's type-check has no Node in it.
 *
 * The files linted here are virtual (`lintText` with a path inside a layer): nothing is written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function lint(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages;
}

/** The layer rule's findings: `messageId: text`, so a failing assertion shows why. */
async function layerFindings(file: string, code: string): Promise<string[]> {
  return (await lint(file, code))
    .filter((m) => m.ruleId === 'divest/layers')
    .map((m) => `${m.messageId}: ${m.message}`);
}

const FORBIDDEN: [file: string, code: string, messageId: string][] = [
  // The engine points inward.
  ['core/x.ts', "export { runCli } from '../cli/main';", 'forbidden'],
  ['core/x.ts', "import { registerIpc } from '../main/ipc';\nregisterIpc();", 'forbidden'],
  ['core/x.ts', "import type { Handlers } from '../main/handlers';\nexport type H = Handlers;", 'forbidden'],
  ['core/x.ts', "export * from '../renderer/store';", 'forbidden'],
  ['core/x.ts', "import { app } from 'electron';\napp.quit();", 'forbidden'],
  ['core/x.ts', "import { useState } from 'react';\nuseState(0);", 'forbidden'],
  ['core/x.ts', "import { spawn } from 'node:child_process';\nspawn('ls');", 'forbidden'],
  ['core/x.ts', "import { spawn } from 'child_process';\nspawn('ls');", 'forbidden'],
  ['core/x.ts', "export const m = await import('node:child_process');", 'forbidden'],
  ['core/x.ts', "export const name = 'x';\nexport const m = await import(name);", 'computed'],
  ['core/x.ts', "import { helper } from '../test/helpers/memory-settings';\nhelper();", 'forbidden'],
  // Plain data: zod and itself only.
  ['core/model/x.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('x');", 'forbidden'],
  ['core/model/x.ts', "import { readFileSync } from 'fs';\nreadFileSync('x');", 'forbidden'],
  ['core/model/x.ts', "import canonicalize from 'canonicalize';\ncanonicalize({});", 'forbidden'],
  [
    'core/model/x.ts',
    "import { DivestError } from '../errors';\nthrow new DivestError('x', 'y');",
    'forbidden',
  ],
  ['core/model/x.ts', "import { Scan } from '../scan/scan';\nScan();", 'forbidden'],
  // The pure modules and the contract.
  ['core/errors.ts', "import { openJournal } from './journal/journal';\nopenJournal();", 'forbidden'],
  ['core/api.ts', "import { scan } from './scan/scan';\nscan();", 'forbidden'],
  ['core/api.ts', "import path from 'node:path';\npath.join();", 'forbidden'],
  // The CLI: core and itself.
  ['cli/x.ts', "import { app } from 'electron';\napp.quit();", 'forbidden'],
  ['cli/x.ts', "import { createHandlers } from '../main/handlers';\ncreateHandlers();", 'forbidden'],
  ['cli/x.ts', "import { App } from '../renderer/app';\nApp();", 'forbidden'],
  ['cli/x.ts', "import { execFile } from 'node:child_process';\nexecFile('ls');", 'forbidden'],
  // The app's main process: the handlers run without Electron; IPC only in ipc.ts and index.ts.
  ['main/handlers.ts', "import { app } from 'electron';\napp.quit();", 'forbidden'],
  [
    'main/remover.ts',
    "import type { WebContents } from 'electron';\nexport type W = WebContents;",
    'forbidden',
  ],
  ['main/x.ts', "import Store from 'electron-store';\nnew Store();", 'forbidden'],
  ['main/x.ts', "import { runCli } from '../cli/main';\nrunCli();", 'forbidden'],
  ['main/x.ts', "import { App } from '../renderer/app';\nApp();", 'forbidden'],
  ['main/x.ts', "import '../preload/index';", 'forbidden'],
  ['main/x.ts', "import { spawn } from 'node:child_process';\nspawn('ls');", 'forbidden'],
  ['main/window.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);", 'names'],
  ['main/menu.ts', "import * as electron from 'electron';\nelectron.app.quit();", 'names'],
  // The sandboxed preload: contextBridge, ipcRenderer and core/api.
  ['preload/x.ts', "import { scan } from '../core/scan/scan';\nscan();", 'forbidden'],
  ['preload/x.ts', "import { HostOs } from '../core/model/host';\nHostOs.parse('linux');", 'forbidden'],
  ['preload/x.ts', "import { shell } from 'electron';\nshell.beep();", 'names'],
  ['preload/x.ts', "import * as electron from 'electron';\nelectron.shell.beep();", 'names'],
  ['preload/x.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('x');", 'forbidden'],
  // The renderer: a web page with `import type` from the contract only.
  ['renderer/x.tsx', "import { scan } from '../core/scan/scan';\nscan();", 'forbidden'],
  [
    'renderer/x.tsx',
    "import type { Finding } from '../core/model/scan';\nexport type F = Finding;",
    'forbidden',
  ],
  ['renderer/x.tsx', "import path from 'node:path';\npath.join();", 'forbidden'],
  ['renderer/x.tsx', "import { ipcRenderer } from 'electron';\nipcRenderer.send('x');", 'forbidden'],
  ['renderer/x.tsx', "import * as z from 'zod';\nz.string();", 'forbidden'],
  ['renderer/x.tsx', "import { METHODS } from '../core/api';\nexport const m = METHODS;", 'typeOnly'],
  [
    'renderer/x.tsx',
    "import { type ScanResult } from '../core/api';\nexport type S = ScanResult;",
    'typeOnly',
  ],
  ['renderer/x.tsx', "export type S = typeof import('../core/scan/scan');", 'forbidden'],
  ['renderer/x.tsx', "export const m = await import('../core/api');", 'typeOnly'],
  ['renderer/x.tsx', '/// <reference types="node" />\nexport const x = 1;', 'forbidden'],
  ['renderer/x.tsx', "import { cspMetaTag } from '../main/csp';\ncspMetaTag();", 'forbidden'],
  // A file the table does not place.
  ['lib/x.ts', 'export const x = 1;', 'unplaced'],
];

describe('the layer table refuses a forbidden import', () => {
  it.each(FORBIDDEN)('%s: %s', async (file, code, messageId) => {
    const findings = await layerFindings(file, code);
    expect(findings.length, findings.join('\n')).toBe(1);
    expect(findings[0]).toMatch(new RegExp(`^${messageId}: `));
  });
});

const ALLOWED: [file: string, code: string][] = [
  [
    'renderer/x.tsx',
    [
      "import { useState } from 'react';",
      "import { Button } from '@trussworks/react-uswds';",
      "import '@uswds/uswds/css/uswds.min.css';",
      "import type { ScanResult } from '../core/api';",
      "import { divest } from './api';",
      'export function X(): React.JSX.Element {',
      '  const [r] = useState<ScanResult | null>(null);',
      '  const t: ReturnType<typeof setTimeout> = setTimeout(() => undefined, 1);',
      '  clearTimeout(t);',
      '  return <Button type="button" onClick={() => void divest.scan({})}>{r?.findings.length}</Button>;',
      '}',
    ].join('\n'),
  ],
  [
    'preload/x.ts',
    [
      "import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';",
      "import { createDivestApi } from '../core/api';",
      'export type E = IpcRendererEvent;',
      'contextBridge.exposeInMainWorld("x", { createDivestApi, ipcRenderer });',
    ].join('\n'),
  ],
  [
    'core/model/x.ts',
    "import * as z from 'zod';\nimport { HostOs } from './host';\nexport const X = z.object({ os: HostOs });",
  ],
  [
    'core/api.ts',
    "import { ERROR_CODES } from './errors';\nimport { Plan } from './model/plan';\nexport const x = [ERROR_CODES, Plan];",
  ],
  ['core/host/runner.ts', "import { spawn } from 'node:child_process';\nexport const s = spawn;"],
  [
    'core/x.ts',
    "import canonicalize from 'canonicalize';\nimport meta from '../catalog/meta.json';\nexport const c = [canonicalize, meta];",
  ],
  [
    'cli/x.ts',
    "import { scan } from '../core/usecases/scan';\nimport pkg from '../package.json';\nexport const c = [scan, pkg];",
  ],
  ['main/ipc.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);"],
  ['main/window.ts', "import { BrowserWindow } from 'electron';\nexport const w = BrowserWindow;"],
  ['main/settings-store.ts', "import Store from 'electron-store';\nexport const s = Store;"],
  [
    'main/handlers.ts',
    "import { openWorkspace } from '../core/usecases/workspace';\nexport const o = openWorkspace;",
  ],
  [
    'test/x.ts',
    "import { app } from 'electron';\nimport { spawn } from 'node:child_process';\nexport const x = [app, spawn];",
  ],
];

describe('the layer table allows what it lists', () => {
  it.each(ALLOWED)('%s', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages.map((m) => `${m.ruleId ?? ''}: ${m.message}`)).toEqual([]);
  });
});

describe('files without Node have no Node globals', () => {
  it.each([
    ['renderer/x.tsx', 'export const e = process.env.HOME;'],
    ['renderer/x.tsx', "export const b = Buffer.from('x');"],
    ['core/model/x.ts', "export const n = Buffer.from('x', 'base64').length;"],
  ])('%s: %s', async (file, code) => {
    const messages = await lint(file, code);
    expect(messages.map((m) => m.ruleId)).toEqual(['no-restricted-globals']);
  });
});

describe('the repository', () => {
  // `npm run lint` runs the same check with every other rule; this one states it as a test.
  it('places every file in a layer and breaks none', { timeout: 180_000 }, async () => {
    const layersOnly = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === 'divest/layers' });
    const results = await layersOnly.lintFiles(['.']);
    const problems = results.flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}: ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });
});

/** Type-checks one virtual renderer file under a tsconfig; returns the messages, with file names. */
function typeCheck(tsconfig: string, code: string): { messages: string[]; files: string[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, tsconfig),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`cannot read ${tsconfig}`);
  const probe = path.join(ROOT, 'renderer', '__layers-probe__.ts');
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === probe || fileExists.call(host, f);
  host.readFile = (f) => (f === probe ? code : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === probe ? ts.createSourceFile(f, code, lang, true) : getSourceFile.call(host, f, lang, ...rest);
  const program = ts.createProgram({ rootNames: [probe], options: config.options, host });
  const messages = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(ROOT, d.file.fileName)}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
  return { messages, files: program.getSourceFiles().map((f) => f.fileName) };
}

describe("the renderer's type-check has no Node", () => {
  const probe = [
    "import type { ScanResult } from '../core/api';",
    'export const findings = (r: ScanResult): number => r.findings.length;',
    'export const home = process.env.HOME;',
    'export let timer: NodeJS.Timeout | undefined;',
  ].join('\n');

  it('tsconfig.renderer.json: the contract compiles; `process` and `NodeJS` do not exist, no @types/node is loaded', () => {
    const { messages, files } = typeCheck('tsconfig.renderer.json', probe);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^renderer\/__layers-probe__\.ts: Cannot find name 'process'/);
    expect(messages[1]).toMatch(/^renderer\/__layers-probe__\.ts: Cannot find namespace 'NodeJS'/);
    expect(files.filter((f) => f.includes('@types/node'))).toEqual([]);
    expect(files.some((f) => f.endsWith('core/api.ts'))).toBe(true);
  });

  it('the same probe under the Node tsconfig compiles (so the check above can tell the two apart)', () => {
    expect(typeCheck('tsconfig.json', probe).messages).toEqual([]);
  });
});
