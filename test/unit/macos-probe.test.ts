import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryItem, ProbeNote } from '../../core/host/inventory';
import { parsePsOutput, probeMacos } from '../../core/host/macos';
import { NodeCommandRunner } from '../../core/host/runner';
import type { CommandRunner, RunOptions, RunResult } from '../../core/host/runner';
import {
  KASPERSKY_KES_MAC,
  KASPERSKY_LEGACY_KEXT,
  makeMacosRoot,
  mergeSpecs,
  ORDINARY_MAC,
  pythonAvailable,
  writePlists,
} from '../beds/macos';
import type { MacosBed } from '../beds/macos';

const PYTHON = pythonAvailable();
if (!PYTHON) {
  if (process.env.CI) throw new Error('python3 (plistlib) is needed to build macOS test beds');
  console.warn('macOS probe tests: python3 not found; skipped');
}

const KES_SYSEXT_UUID = '6F1C0A2E-3B4D-4E5F-8A9B-0C1D2E3F4A5B';
const VPN_SYSEXT_UUID = '0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9';

/** A runner that records what it is asked and answers from a script (for the live-only paths). */
class ScriptedRunner implements CommandRunner {
  calls: (readonly string[])[] = [];
  constructor(private readonly answer: Partial<RunResult>) {}
  get spawnCount(): number {
    return this.calls.length;
  }
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    void options;
    this.calls.push(argv);
    return Promise.resolve({
      argv,
      exitCode: 0,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      durationMs: 1,
      outputSha256: '',
      ...this.answer,
    });
  }
}

const messages = (notes: ProbeNote[]): string[] => notes.map((n) => `${n.level}: ${n.message}`);

describe.skipIf(!PYTHON)('probeMacos on a test bed', () => {
  let bed: MacosBed;
  let outside: string;
  let result: { items: InventoryItem[]; notes: ProbeNote[] };
  let runner: NodeCommandRunner;

  beforeAll(async () => {
    // A folder NEXT TO the bed holding a perfectly good app: links must not lead the probe to it.
    outside = mkdtempSync(path.join(tmpdir(), 'divest-outside-'));
    writePlists([
      {
        path: path.join(outside, 'Secret.app/Contents/Info.plist'),
        value: { CFBundleIdentifier: 'com.outside.secret' },
        format: 'xml',
      },
      { path: path.join(outside, 'job.plist'), value: { Label: 'com.outside.job' }, format: 'xml' },
    ]);
    const extra = {
      apps: [
        {
          path: '/Applications/Broken.app',
          rawInfo:
            '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n<key>CFBundleIdentifier</key>\n<str',
        },
        { path: '/Applications/Empty.app' },
      ],
      legacyReceipts: [{ name: 'OldThing', id: 'com.example.pkg.OldThing', version: '1.0' }],
      files: {
        '/private/var/db/receipts/com.example.broken.plist': 'garbage, not a plist',
        '/Library/LaunchDaemons/com.example.json.plist': '{"Label": "com.example.json"}\n',
        '/Applications/README.txt': 'a file, not a bundle',
      },
      symlinks: {
        // Relative and inside the root, as a Mac has them: followed.
        '/Applications/Browser.app': 'Safari.app',
        // Absolute: means the inspected machine's `/`, where there is no such folder.
        '/Applications/Outside.app': path.join(outside, 'Secret.app'),
        // Relative, climbing above the root: refused.
        '/Applications/Escape.app': `../../../../../../../../../../..${path.join(outside, 'Secret.app')}`,
        '/Library/LaunchDaemons/passwd.plist': '/etc/passwd',
        '/Library/LaunchDaemons/zz-escape.plist': `../../../../../../../../../../..${path.join(outside, 'job.plist')}`,
        '/Library/LaunchAgents/loop.plist': 'loop.plist',
      },
    };
    bed = makeMacosRoot(mergeSpecs(KASPERSKY_KES_MAC, KASPERSKY_LEGACY_KEXT, ORDINARY_MAC, extra));
    // A named pipe where a job plist would be: opening it for reading would block forever.
    execFileSync('mkfifo', [bed.at('/Library/LaunchAgents/com.example.fifo.plist')]);
    runner = new NodeCommandRunner();
    result = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, runner);
  });

  afterAll(() => {
    bed?.cleanup();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  it('reports every app bundle, in a stable order, with locations as the Mac sees them', () => {
    expect(result.items.filter((i) => i.kind === 'app-bundle')).toEqual([
      { kind: 'app-bundle', location: '/Applications/Broken.app', name: 'Broken' },
      {
        kind: 'app-bundle',
        location: '/Applications/Browser.app',
        bundleId: 'com.apple.Safari',
        name: 'Safari',
        version: '17.4.1',
      },
      { kind: 'app-bundle', location: '/Applications/Empty.app', name: 'Empty' },
      {
        kind: 'app-bundle',
        location: '/Applications/Kaspa Wallet.app',
        bundleId: 'org.kaspa.wallet',
        name: 'Kaspa Wallet',
        version: '2.3.0',
      },
      {
        kind: 'app-bundle',
        location: '/Applications/Kasper.app',
        bundleId: 'com.kasperapp.kasper',
        name: 'Kasper',
        version: '1.0.4',
      },
      {
        kind: 'app-bundle',
        location: '/Applications/Kaspersky Endpoint Security for Mac.app',
        bundleId: 'com.kaspersky.kav',
        name: 'Kaspersky Endpoint Security for Mac',
        version: '12.1.0.553',
      },
      {
        kind: 'app-bundle',
        location: '/Applications/Safari.app',
        bundleId: 'com.apple.Safari',
        name: 'Safari',
        version: '17.4.1',
      },
      {
        kind: 'app-bundle',
        location: '/Applications/Utilities/Disk Inventory X.app',
        bundleId: 'net.derlien.DiskInventoryX',
        name: 'Disk Inventory X',
        version: '1.3',
      },
      {
        kind: 'app-bundle',
        location: '/Users/alice/Applications/Klack.app',
        bundleId: 'com.klack.Klack',
        name: 'Klack',
        version: '1.6.0',
      },
    ]);
  });

  it('reports receipts from /var/db/receipts (through the /var link) and legacy /Library/Receipts', () => {
    expect(result.items.filter((i) => i.kind === 'pkg-receipt')).toEqual([
      {
        kind: 'pkg-receipt',
        location: '/var/db/receipts/com.apple.pkg.XProtectPayloads_10_15.16U4211.plist',
        packageId: 'com.apple.pkg.XProtectPayloads_10_15.16U4211',
        version: '2178',
        installDate: '2024-02-01T02:00:00.000Z',
      },
      {
        kind: 'pkg-receipt',
        location: '/var/db/receipts/com.example.broken.plist',
        packageId: 'com.example.broken',
      },
      {
        kind: 'pkg-receipt',
        location: '/var/db/receipts/com.kaspersky.kav.core.plist',
        packageId: 'com.kaspersky.kav.core',
        version: '12.1.0.553',
        installDate: '2024-03-05T09:14:02.000Z',
      },
      {
        kind: 'pkg-receipt',
        location: '/var/db/receipts/com.kaspersky.kav.oas.plist',
        packageId: 'com.kaspersky.kav.oas',
        version: '12.1.0.553',
        installDate: '2024-03-05T09:14:03.000Z',
      },
      {
        kind: 'pkg-receipt',
        location: '/var/db/receipts/org.kaspa.wallet.pkg.plist',
        packageId: 'org.kaspa.wallet.pkg',
        version: '2.3.0',
        installDate: '2024-01-10T12:00:00.000Z',
      },
      {
        kind: 'pkg-receipt',
        location: '/Library/Receipts/OldThing.pkg',
        packageId: 'com.example.pkg.OldThing',
        version: '1.0',
      },
    ]);
  });

  it('reports launchd jobs with label and program (Program or ProgramArguments[0])', () => {
    expect(result.items.filter((i) => i.kind === 'launchd')).toEqual([
      { kind: 'launchd', location: '/Library/LaunchDaemons/com.example.json.plist' },
      {
        kind: 'launchd',
        location: '/Library/LaunchDaemons/com.kaspersky.kav.plist',
        label: 'com.kaspersky.kav',
        program: '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
      },
      {
        kind: 'launchd',
        location: '/Library/LaunchDaemons/org.kaspa.kaspad.plist',
        label: 'org.kaspa.kaspad',
        program: '/usr/local/bin/kaspad',
      },
      {
        kind: 'launchd',
        location: '/Library/LaunchAgents/com.kaspersky.kav.gui.plist',
        label: 'com.kaspersky.kav.gui',
        program: '/Applications/Kaspersky Endpoint Security for Mac.app/Contents/MacOS/kav_app',
      },
      {
        kind: 'launchd',
        location: '/Library/Apple/System/Library/LaunchDaemons/com.apple.XProtect.daemon.scan.plist',
        label: 'com.apple.XProtect.daemon.scan',
        program: '/Library/Apple/System/Library/CoreServices/XProtect.app/Contents/MacOS/XProtect',
      },
      {
        kind: 'launchd',
        location: '/Users/alice/Library/LaunchAgents/com.klack.Klack.helper.plist',
        label: 'com.klack.Klack.helper',
        program: '/Users/alice/Applications/Klack.app/Contents/MacOS/KlackHelper',
      },
    ]);
  });

  it('reports system extensions from db.plist and kexts from /Library/Extensions', () => {
    expect(result.items.filter((i) => i.kind === 'system-extension')).toEqual([
      {
        kind: 'system-extension',
        location: `/Library/SystemExtensions/${KES_SYSEXT_UUID}/com.kaspersky.kav.sysext.systemextension`,
        bundleId: 'com.kaspersky.kav.sysext',
        teamId: '2Y8XE5CQ94',
        state: 'activated_enabled',
        version: '12.1.0.553',
      },
      {
        kind: 'system-extension',
        location: `/Library/SystemExtensions/${VPN_SYSEXT_UUID}/com.example.vpn.tunnel.systemextension`,
        bundleId: 'com.example.vpn.tunnel',
        teamId: 'EXAMPLE123',
        state: 'activated_enabled',
        version: '3.2.1',
      },
      {
        kind: 'system-extension',
        location: '/Library/Extensions/SoftRAID.kext',
        bundleId: 'com.softraid.driver.SoftRAID',
        version: '8.0',
        state: 'kext',
      },
      {
        kind: 'system-extension',
        location: '/Library/Extensions/klif.kext',
        bundleId: 'com.kaspersky.kext.klif',
        version: '11.0.0.157',
        state: 'kext',
      },
    ]);
  });

  it('reports nothing else, and never the bed folder or anything outside it', () => {
    expect(result.items).toHaveLength(9 + 6 + 6 + 4);
    // Notes may name the root ("leads outside the inspected root (DIR)"); items never do.
    expect(JSON.stringify(result.items)).not.toContain(bed.root);
    const text = JSON.stringify(result);
    expect(text).not.toContain('com.outside.secret');
    expect(text).not.toContain('com.outside.job');
    for (const item of result.items) expect(item.location.startsWith('/')).toBe(true);
    for (const n of result.notes) expect(n.probe).toBe('macos');
  });

  it('says what it could not read, and why', () => {
    const m = messages(result.notes);
    expect(m).toContain(
      'warning: /Applications/Broken.app: Contents/Info.plist truncated XML plist (it does not end with </plist>): unclosed xml tag(s): plist, dict, str; reported by its folder name only',
    );
    expect(m).toContain(
      'warning: /Applications/Empty.app: has no Contents/Info.plist; reported by its folder name only',
    );
    expect(m).toContain(
      'warning: /var/db/receipts/com.example.broken.plist: not a property list: starts with "garbage, not a p"; package id taken from the file name',
    );
    expect(m).toContain(
      'warning: /Library/LaunchDaemons/com.example.json.plist: not a property list: the file holds JSON; its label is unknown',
    );
    expect(m).toContain(
      `warning: /Applications/Outside.app (symbolic link to ${path.join(outside, 'Secret.app')}): its target is not present inside the inspected root; skipped`,
    );
    expect(m).toContain(
      'warning: /Library/LaunchDaemons/passwd.plist (symbolic link to /etc/passwd): its target is not present inside the inspected root; skipped',
    );
    expect(m).toContain(
      'warning: /Library/LaunchAgents/loop.plist (symbolic link to loop.plist): too many levels of symbolic links',
    );
  });

  it('does not follow a relative link that climbs out of the root', () => {
    const escapes = result.notes.filter((n) => n.message.includes('leads outside the inspected root'));
    expect(escapes.map((n) => n.message.split(' (symbolic link')[0])).toEqual([
      '/Applications/Escape.app',
      '/Library/LaunchDaemons/zz-escape.plist',
    ]);
    for (const n of escapes) {
      expect(n.level).toBe('warning');
      expect(n.message).toContain(`leads outside the inspected root (${bed.root}); not followed`);
    }
  });

  it('skips a named pipe instead of blocking on it, and starts no process when not live', () => {
    expect(result.items.some((i) => i.location.includes('fifo'))).toBe(false);
    expect(runner.spawnCount).toBe(0);
    expect(result.items.some((i) => i.kind === 'process')).toBe(false);
  });

  it('gives the same answer when run again (stable order)', async () => {
    const again = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, runner);
    expect(again).toEqual(result);
  });
});

describe.skipIf(!PYTHON)('probeMacos on sparse and odd roots', () => {
  const beds: MacosBed[] = [];
  afterAll(() => beds.forEach((b) => b.cleanup()));

  it('notes a missing /Library/SystemExtensions and /Library/Extensions without failing', async () => {
    const bed = makeMacosRoot({
      apps: [{ path: '/Applications/Safari.app', info: { CFBundleIdentifier: 'com.apple.Safari' } }],
    });
    beds.push(bed);
    const r = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, new NodeCommandRunner());
    expect(r.items).toEqual([
      {
        kind: 'app-bundle',
        location: '/Applications/Safari.app',
        bundleId: 'com.apple.Safari',
        name: 'Safari',
      },
    ]);
    expect(messages(r.notes)).toEqual([
      'info: /Library/Apple/System/Library/LaunchDaemons: not present; nothing to inventory there',
      'info: /Library/SystemExtensions/db.plist: not present; no system extensions registered (or not a macOS 10.15+ root)',
      'info: /Library/Extensions: not present; nothing to inventory there',
    ]);
  });

  it('degrades on an empty folder (no /Applications, no receipts, no /Users) with notes, never a throw', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'divest-empty-'));
    try {
      const r = await probeMacos({ hostRoot: root, live: false, os: 'macos' }, new NodeCommandRunner());
      expect(r.items).toEqual([]);
      expect(messages(r.notes)).toEqual([
        'info: /Users: not present; nothing to inventory there',
        'info: /Applications: not present; nothing to inventory there',
        'info: /var/db/receipts: not present; nothing to inventory there',
        'info: /Library/LaunchDaemons: not present; nothing to inventory there',
        'info: /Library/LaunchAgents: not present; nothing to inventory there',
        'info: /Library/Apple/System/Library/LaunchDaemons: not present; nothing to inventory there',
        'info: /Library/SystemExtensions/db.plist: not present; no system extensions registered (or not a macOS 10.15+ root)',
        'info: /Library/Extensions: not present; nothing to inventory there',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('notes a root that does not exist, once', async () => {
    const missing = path.join(tmpdir(), `divest-no-such-root-${process.pid}`);
    const r = await probeMacos({ hostRoot: missing, live: false, os: 'macos' }, new NodeCommandRunner());
    expect(r).toEqual({
      items: [],
      notes: [
        {
          probe: 'macos',
          level: 'warning',
          message: `host root ${missing}: not present; nothing inventoried`,
        },
      ],
    });
  });

  it('notes a folder that is a file, and an /Applications link that leaves the root', async () => {
    const bed = makeMacosRoot({});
    beds.push(bed);
    rmSync(bed.at('/Library/LaunchAgents'), { recursive: true });
    writeFileSync(bed.at('/Library/LaunchAgents'), 'not a folder');
    rmSync(bed.at('/Applications'), { recursive: true });
    execFileSync('ln', ['-s', '../../../../../../../../../../../../../tmp', bed.at('/Applications')]);
    const r = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, new NodeCommandRunner());
    const m = messages(r.notes);
    expect(m).toContain(
      `warning: /Applications: a symbolic link on the way leads outside the inspected root (${bed.root}); not followed; not inventoried`,
    );
    expect(
      m.some((x) => x.startsWith('warning: /Library/LaunchAgents: ') && x.endsWith('; not inventoried')),
    ).toBe(true);
    expect(r.items.filter((i) => i.kind === 'app-bundle')).toEqual([]);
  });

  it('is tolerant of db.plist entries with missing or odd fields', async () => {
    const bed = makeMacosRoot({ systemExtensions: [] });
    beds.push(bed);
    writePlists([
      {
        path: bed.at('/Library/SystemExtensions/db.plist'),
        format: 'binary',
        value: {
          extensions: [
            { identifier: 'com.kaspersky.kav.sysext', teamID: '2Y8XE5CQ94' },
            'not a dict',
            {
              teamID: 'ABCDE12345',
              state: 'terminated_waiting_to_uninstall_on_reboot',
              bundleVersion: { CFBundleVersion: '7' },
            },
            {
              identifier: 'com.example.url',
              stagedBundleURL: 'file:///Library/SystemExtensions/AB%20CD/com.example.url.systemextension/',
            },
          ],
        },
      },
    ]);
    const r = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, new NodeCommandRunner());
    expect(r.items).toEqual([
      {
        kind: 'system-extension',
        location: '/Library/SystemExtensions/db.plist#com.kaspersky.kav.sysext',
        bundleId: 'com.kaspersky.kav.sysext',
        teamId: '2Y8XE5CQ94',
      },
      {
        kind: 'system-extension',
        location: '/Library/SystemExtensions/db.plist#extensions[2]',
        teamId: 'ABCDE12345',
        state: 'terminated_waiting_to_uninstall_on_reboot',
        version: '7',
      },
      {
        kind: 'system-extension',
        location: '/Library/SystemExtensions/AB CD/com.example.url.systemextension',
        bundleId: 'com.example.url',
      },
    ]);
    expect(messages(r.notes)).toEqual(
      expect.arrayContaining([
        'warning: /Library/SystemExtensions/db.plist: extensions[1] is not a dictionary; skipped',
        'warning: /Library/SystemExtensions/db.plist: extensions[2] has no identifier',
      ]),
    );
  });

  it('notes a db.plist that is not the expected structure', async () => {
    const bed = makeMacosRoot({ systemExtensions: [] });
    beds.push(bed);
    writePlists([
      { path: bed.at('/Library/SystemExtensions/db.plist'), format: 'xml', value: ['an', 'array'] },
    ]);
    const r = await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, new NodeCommandRunner());
    expect(messages(r.notes)).toContain(
      'warning: /Library/SystemExtensions/db.plist is not the expected structure (top level: expected a dictionary); system extensions not inventoried',
    );
  });
});

describe.skipIf(!PYTHON)('probeMacos on the live system (scripted runner)', () => {
  let bed: MacosBed;
  beforeAll(() => {
    bed = makeMacosRoot({});
  });
  afterAll(() => bed?.cleanup());

  it('runs /bin/ps once and reports its processes, paths with spaces included', async () => {
    const runner = new ScriptedRunner({
      stdout: [
        '    1 /sbin/launchd',
        '  312 /Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
        ' 4711 /Applications/Kaspersky Endpoint Security for Mac.app/Contents/MacOS/kav_app',
        '    0 kernel_task',
        '',
      ].join('\n'),
    });
    const r = await probeMacos({ hostRoot: bed.root, live: true, os: 'macos' }, runner);
    expect(runner.calls).toEqual([['/bin/ps', '-axo', 'pid=,comm=']]);
    expect(r.items.filter((i) => i.kind === 'process')).toEqual([
      { kind: 'process', location: '/sbin/launchd', name: 'launchd', pid: 1, executable: '/sbin/launchd' },
      {
        kind: 'process',
        location: '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
        name: 'kav',
        pid: 312,
        executable: '/Library/Application Support/Kaspersky Lab/KAV/Binaries/kav',
      },
      {
        kind: 'process',
        location: '/Applications/Kaspersky Endpoint Security for Mac.app/Contents/MacOS/kav_app',
        name: 'kav_app',
        pid: 4711,
        executable: '/Applications/Kaspersky Endpoint Security for Mac.app/Contents/MacOS/kav_app',
      },
      { kind: 'process', location: 'kernel_task', name: 'kernel_task', pid: 0 },
    ]);
  });

  it('says so when ps is missing', async () => {
    const runner = new ScriptedRunner({
      exitCode: null,
      spawnError: { code: 'ENOENT', message: 'spawn /bin/ps ENOENT' },
    });
    const r = await probeMacos({ hostRoot: bed.root, live: true, os: 'macos' }, runner);
    expect(messages(r.notes)).toContain('warning: /bin/ps is missing; running processes not inventoried');
    expect(r.items.filter((i) => i.kind === 'process')).toEqual([]);
  });

  it('says so when ps fails, and keeps what it printed', async () => {
    const runner = new ScriptedRunner({
      exitCode: 1,
      stderr: 'ps: something odd\n',
      stdout: '  9 /usr/libexec/foo\n',
    });
    const r = await probeMacos({ hostRoot: bed.root, live: true, os: 'macos' }, runner);
    expect(messages(r.notes)).toContain(
      'warning: /bin/ps exited with 1: ps: something odd; the process list may be incomplete',
    );
    expect(r.items.filter((i) => i.kind === 'process')).toHaveLength(1);
  });

  it('does not run ps for an image, or when told the host is not macOS', async () => {
    const runner = new ScriptedRunner({});
    await probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, runner);
    await probeMacos({ hostRoot: bed.root, live: true, os: 'linux' }, runner);
    expect(runner.spawnCount).toBe(0);
  });
});

describe('parsePsOutput', () => {
  it('ignores blank and malformed lines', () => {
    expect(parsePsOutput('\n  abc\n 12\n 13 /bin/zsh  \n')).toEqual([
      { kind: 'process', location: '/bin/zsh', name: 'zsh', pid: 13, executable: '/bin/zsh' },
    ]);
  });
});

describe.skipIf(!PYTHON)('probeMacos on hostile roots (15.6, 15.7, 15.8)', () => {
  const beds: MacosBed[] = [];
  afterAll(() => beds.forEach((b) => b.cleanup()));
  const probe = (bed: MacosBed) =>
    probeMacos({ hostRoot: bed.root, live: false, os: 'macos' }, new NodeCommandRunner());

  it('an absolute /Applications link (-> /System/Volumes/Data/Applications) is followed inside the image', async () => {
    const bed = makeMacosRoot(KASPERSKY_KES_MAC);
    beds.push(bed);
    execFileSync('mkdir', ['-p', bed.at('/System/Volumes/Data')]);
    execFileSync('mv', [bed.at('/Applications'), bed.at('/System/Volumes/Data/Applications')]);
    execFileSync('ln', ['-s', '/System/Volumes/Data/Applications', bed.at('/Applications')]);
    const r = await probe(bed);
    expect(r.items).toContainEqual(
      expect.objectContaining({
        kind: 'app-bundle',
        location: '/Applications/Kaspersky Endpoint Security for Mac.app',
        bundleId: 'com.kaspersky.kav',
      }),
    );
  });

  it('a db.plist that is a FIFO: no hang, and a blind note (the extensions are unknown, not absent)', async () => {
    const bed = makeMacosRoot({});
    beds.push(bed);
    execFileSync('mkdir', ['-p', bed.at('/Library/SystemExtensions')]);
    execFileSync('mkfifo', [bed.at('/Library/SystemExtensions/db.plist')]);
    const r = await probe(bed);
    expect(r.notes).toContainEqual({
      probe: 'macos',
      level: 'warning',
      blind: true,
      message:
        '/Library/SystemExtensions/db.plist: is a named pipe (FIFO), not a regular file; system extensions not inventoried',
    });
  });

  it('a bundle name of absurd size is cut to 4 KiB with a visible marker', async () => {
    const bed = makeMacosRoot({
      apps: [
        {
          path: '/Applications/Huge.app',
          info: { CFBundleIdentifier: 'com.example.huge', CFBundleName: 'N'.repeat(100_000) },
        },
      ],
    });
    beds.push(bed);
    const r = await probe(bed);
    const app = r.items.find((i) => i.kind === 'app-bundle');
    expect(app && 'name' in app ? app.name : undefined).toBe(`${'N'.repeat(4096)}…(truncated)`);
  });
});
