/**
 * The machine's facts (core/host/facts.ts): the only place the planner's knowledge of the disk
 * comes from. Real files in temporary folders; the planner then decides from the facts alone.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDivestError } from '../../../core/errors';
import { gatherFacts } from '../../../core/host/facts';
import { buildPlan } from '../../../core/remove/plan';
import { catalog, factsOf, WIN_ENV, WIN_LOG_DIR, windowsScan } from '../../fixtures/removal';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'divest-facts-'));
  dirs.push(d);
  return d;
}

/** An image root laid out by `make`. */
function image(make: (root: string) => void): string {
  const root = tmp();
  make(root);
  return root;
}
const file = (p: string): void => {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, '', { mode: 0o755 });
};

describe('an image: does it have a shell its scripts could run chrooted in?', () => {
  it.each([
    ['/bin/sh, a file', (r: string) => file(path.join(r, 'bin/sh')), true],
    ['only /usr/bin/sh', (r: string) => file(path.join(r, 'usr/bin/sh')), true],
    [
      'merged /usr: /bin -> usr/bin, sh -> dash',
      (r: string) => {
        file(path.join(r, 'usr/bin/dash'));
        symlinkSync('usr/bin', path.join(r, 'bin'));
        symlinkSync('dash', path.join(r, 'usr/bin/sh'));
      },
      true,
    ],
    [
      'an absolute link resolved inside the image (/bin/sh -> /usr/bin/dash)',
      (r: string) => {
        file(path.join(r, 'usr/bin/dash'));
        mkdirSync(path.join(r, 'bin'));
        symlinkSync('/usr/bin/dash', path.join(r, 'bin/sh'));
      },
      true,
    ],
    [
      'an absolute link to a shell only THIS machine has (/bin/sh -> /bin/bash, absent in the image)',
      (r: string) => {
        mkdirSync(path.join(r, 'bin'));
        symlinkSync('/bin/bash', path.join(r, 'bin/sh'));
      },
      false,
    ],
    [
      '.. cannot climb out of the image',
      (r: string) => {
        mkdirSync(path.join(r, 'bin'));
        symlinkSync('../../../../../../bin/bash', path.join(r, 'bin/sh'));
      },
      false,
    ],
    [
      'a link loop',
      (r: string) => {
        mkdirSync(path.join(r, 'bin'));
        symlinkSync('sh', path.join(r, 'bin/sh'));
      },
      false,
    ],
    ['a folder named sh', (r: string) => mkdirSync(path.join(r, 'bin/sh'), { recursive: true }), false],
    ['no shell at all', () => undefined, false],
  ])('%s: %s', async (_why, make, expected) => {
    const root = image(make);
    const facts = await gatherFacts({ os: 'linux', root, live: false }, catalog.catalog);
    expect(facts).toMatchObject({ os: 'linux', root, live: false, imageHasShell: expected });
  });

  it("this machine's package tools, by absolute path where they are installed", async () => {
    const facts = await gatherFacts({ os: 'linux', root: '/', live: true }, catalog.catalog);
    expect(facts.imageHasShell).toBeUndefined();
    for (const tool of Object.values(facts.binaries)) expect(path.isAbsolute(tool)).toBe(true);
    expect(facts.uid).toBe(process.getuid?.());
  });
});

describe('macOS: the lstat of each uninstaller the catalog names', () => {
  it('present files with their owner and mode, links with where they lead; absent ones left out', async () => {
    const dir = tmp();
    const script = path.join(dir, 'UninstallScript');
    file(script);
    chmodSync(script, 0o775);
    const link = path.join(dir, 'Link');
    symlinkSync(script, link);
    const copy = structuredClone(catalog.catalog);
    const mac = copy.products.find((p) => p.id === 'kaspersky-endpoint-security-mac')!.removal!.macos!;
    mac.uninstallers = [script, link, path.join(dir, 'Missing')].map((p) => ({ path: p, refs: ['S17a'] }));
    const facts = await gatherFacts({ os: 'macos', root: '/', live: true }, copy);
    expect(facts.uninstallers[script]).toEqual({
      isFile: true,
      uid: process.getuid?.(),
      mode: 0o100775,
      realPath: script,
    });
    expect(facts.uninstallers[link]).toMatchObject({ isFile: false, realPath: script });
    expect(Object.keys(facts.uninstallers)).not.toContain(path.join(dir, 'Missing'));
  });

  it('an image: nothing is read (vendor scripts never run against one)', async () => {
    const facts = await gatherFacts({ os: 'macos', root: tmp(), live: false }, catalog.catalog);
    expect(facts.uninstallers).toEqual({});
  });
});

it("the planner refuses facts of another machine than the scan's", () => {
  const scan = windowsScan();
  const plan = (facts: ReturnType<typeof factsOf>) =>
    buildPlan({ scan, catalog: catalog.catalog, facts, logDir: WIN_LOG_DIR, env: WIN_ENV });
  expect(plan(factsOf(scan)).steps.length).toBeGreaterThan(0);
  for (const wrong of [factsOf(scan, { os: 'linux' }), factsOf(scan, { root: '/mnt/image' })]) {
    let thrown: unknown;
    try {
      plan(wrong);
    } catch (e) {
      thrown = e;
    }
    expect(isDivestError(thrown, 'internal')).toBe(true);
  }
});
