import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  existsSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { journalPath } from '../../core/journal/journal';
import { JournalLockError } from '../../core/journal/lock';
import {
  GENESIS_HASH,
  JournalSecretError,
  openLog as openJournal,
  type HashChainLog as Journal,
} from '../../core/journal/log';

const run = promisify(execFile);
const posix = process.platform !== 'win32';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'divest-journal-'));
  file = journalPath(join(dir, 'data'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(): string[] {
  const text = readFileSync(file, 'utf8');
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function writeLines(ls: string[]): void {
  writeFileSync(file, ls.map((l) => `${l}\n`).join(''));
}

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

async function fill(j: Journal, n: number): Promise<void> {
  for (let i = 1; i <= n; i += 1) await j.append('scan.started', { n: i, note: `event ${i}` });
}

function brief(problems: Array<{ line: number; kind: string }>): Array<{ line: number; kind: string }> {
  return problems.map(({ line, kind }) => ({ line, kind }));
}

describe('journal: writing and verifying', () => {
  it('round-trips: one line per event, chained from 64 zeros, intact', async () => {
    const j = openJournal(file);
    const first = await j.append('scan.started', { catalog: '2025.1' });
    await j.append('scan.finished', { findings: 0 });
    const last = await j.append('receipt.exported', { id: 'x' });

    expect(first.seq).toBe(1);
    expect(first.prev).toBe(GENESIS_HASH);
    expect(last.seq).toBe(3);

    const ls = lines();
    expect(ls).toHaveLength(3);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    const parsed = ls.map((l) => JSON.parse(l) as { seq: number; prev: string; type: string });
    expect(parsed.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(parsed[1]?.prev).toBe(sha(ls[0] ?? ''));
    expect(parsed[2]?.prev).toBe(sha(ls[1] ?? ''));

    const report = await j.verify();
    expect(report).toEqual({
      intact: true,
      length: 3,
      head: { seq: 3, hash: sha(ls[2] ?? ''), line: 3 },
      problems: [],
    });
    expect(await j.head()).toEqual({ seq: 3, hash: sha(ls[2] ?? '') });

    const { events, report: r2 } = await j.readEvents();
    expect(r2.intact).toBe(true);
    expect(events.map((e) => [e.line, e.event.type])).toEqual([
      [1, 'scan.started'],
      [2, 'scan.finished'],
      [3, 'receipt.exported'],
    ]);
    expect(events[0]?.event.data).toEqual({ catalog: '2025.1' });
  });

  it.runIf(posix)('creates the file 0600 in a 0700 directory', async () => {
    await openJournal(file).append('settings.changed', {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
  });

  it('continues the chain across journal objects (processes)', async () => {
    await fill(openJournal(file), 3);
    const b = openJournal(file);
    const e = await b.append('plan.made', {});
    expect(e.seq).toBe(4);
    await fill(openJournal(file), 2);
    await b.append('plan.made', {}); // b's checkpoint is behind: it checks only the new lines
    const report = await b.verify();
    expect(report.intact).toBe(true);
    expect(report.length).toBe(7);
  });

  it('an empty or missing journal is intact with no head', async () => {
    const j = openJournal(file);
    expect(await j.verify()).toEqual({ intact: true, length: 0, head: null, problems: [] });
    expect(await j.head()).toBeNull();
    await openJournal(file).append('scan.started', {});
    writeFileSync(file, '');
    expect(await openJournal(file).verify()).toEqual({ intact: true, length: 0, head: null, problems: [] });
  });

  it('rejects event types that are not lower-case names and data that is not an object', async () => {
    const j = openJournal(file);
    await expect(j.append('Scan Started', {})).rejects.toThrow(/event type/);
    await expect(j.append('scan.started', [] as unknown as Record<string, unknown>)).rejects.toThrow(
      /object/,
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe('journal: damage is found and named by line', () => {
  it('a truncated tail (cut in the middle of the last line)', async () => {
    await fill(openJournal(file), 6);
    truncateSync(file, statSync(file).size - 10);
    const report = await openJournal(file).verify();
    expect(report.intact).toBe(false);
    expect(report.length).toBe(6);
    expect(brief(report.problems)).toEqual([{ line: 6, kind: 'truncated' }]);
    expect(report.problems[0]?.message).toMatch(/line 6 is cut off/);
    expect(report.head?.seq).toBe(5);
  });

  it('a tail cut exactly before its line end', async () => {
    await fill(openJournal(file), 4);
    truncateSync(file, statSync(file).size - 1);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 4, kind: 'truncated' }]);
    expect(report.problems[0]?.message).toMatch(/no line end/);
  });

  it('an edited middle line: line 3 of 6 is named, once', async () => {
    await fill(openJournal(file), 6);
    const ls = lines();
    ls[2] = (ls[2] ?? '').replace('event 3', 'event 8');
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 3, kind: 'hash-mismatch' }]);
    expect(report.problems[0]?.message).toBe("line 3 was changed (line 4's hash link no longer matches)");
    expect(report.length).toBe(6);
  });

  it('an edited first line, and an edited seq field', async () => {
    await fill(openJournal(file), 4);
    const ls = lines();
    ls[0] = (ls[0] ?? '').replace('event 1', 'event 7');
    writeLines(ls);
    expect(brief((await openJournal(file).verify()).problems)).toEqual([{ line: 1, kind: 'hash-mismatch' }]);

    const again = lines();
    again[0] = (again[0] ?? '').replace('event 7', 'event 1'); // restore
    again[2] = (again[2] ?? '').replace('"seq":3', '"seq":9');
    writeLines(again);
    const report = await openJournal(file).verify();
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]?.line).toBe(3);
  });

  it('a deleted line: the hole is named between its neighbours', async () => {
    await fill(openJournal(file), 6);
    const ls = lines();
    ls.splice(2, 1);
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 3, kind: 'seq-gap' }]);
    expect(report.problems[0]?.message).toMatch(
      /1 event missing between line 2 and line 3 \(seq jumps from 2 to 4\)/,
    );
  });

  it('deleted first lines', async () => {
    await fill(openJournal(file), 5);
    writeLines(lines().slice(2));
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 1, kind: 'seq-gap' }]);
    expect(report.problems[0]?.message).toMatch(/2 events missing before line 1/);
  });

  it('reordered lines: one problem naming both lines', async () => {
    await fill(openJournal(file), 6);
    const ls = lines();
    const [a, b] = [ls[2] ?? '', ls[3] ?? ''];
    ls[2] = b;
    ls[3] = a;
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 3, kind: 'out-of-order' }]);
    expect(report.problems[0]?.message).toMatch(/lines 3–4 are out of order/);
  });

  it('a copied line', async () => {
    await fill(openJournal(file), 4);
    const ls = lines();
    ls.splice(2, 0, ls[1] ?? '');
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([{ line: 3, kind: 'out-of-order' }]);
  });

  it('a line that is valid JSON but not an event, and one that is not JSON', async () => {
    await fill(openJournal(file), 6);
    const ls = lines();
    ls[3] = '{"hello":"world"}';
    ls[4] = 'not json at all';
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([
      { line: 4, kind: 'schema' },
      { line: 5, kind: 'malformed' },
    ]);
    expect(report.problems[0]?.message).toMatch(/line 4 is valid JSON but not a journal event/);
  });

  it('damage at several places is reported at each place', async () => {
    await fill(openJournal(file), 10);
    const ls = lines();
    ls[1] = (ls[1] ?? '').replace('event 2', 'event X');
    ls.splice(6, 1);
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(brief(report.problems)).toEqual([
      { line: 2, kind: 'hash-mismatch' },
      { line: 7, kind: 'seq-gap' },
    ]);
  });
});

describe('journal: after damage the app keeps working', () => {
  it('after a truncated tail: starts on a new line, records a break, later lines verify', async () => {
    await fill(openJournal(file), 6);
    truncateSync(file, statSync(file).size - 10);

    const j = openJournal(file);
    const e = await j.append('scan.started', { after: 'damage' });
    const ls = lines();
    expect(ls).toHaveLength(8);
    const brk = JSON.parse(ls[6] ?? '') as { type: string; prev: string; data: { problems: unknown[] } };
    expect(brk.type).toBe('journal-break');
    expect(brk.prev).toBe(sha(ls[5] ?? '')); // the physically previous line: the fragment
    expect(brk.data.problems).toEqual([
      { line: 6, kind: 'truncated', message: expect.stringMatching(/cut off/) },
    ]);
    expect(JSON.parse(ls[7] ?? '')).toMatchObject({ type: 'scan.started', data: { after: 'damage' } });
    expect(e.prev).toBe(sha(ls[6] ?? ''));

    await j.append('scan.finished', {});
    await openJournal(file).append('plan.made', {});
    const report = await openJournal(file).verify();
    expect(report.intact).toBe(false);
    expect(report.problems).toEqual([
      { line: 6, kind: 'truncated', message: expect.stringMatching(/cut off/), acknowledgedAt: 7 },
    ]);
    expect(report.length).toBe(10);
    expect(report.head?.line).toBe(10);
    expect(lines().filter((l) => l.includes('"journal-break"'))).toHaveLength(1);
  });

  it('after a missing final line end: the break keeps the record', async () => {
    await fill(openJournal(file), 3);
    truncateSync(file, statSync(file).size - 1);
    await openJournal(file).append('plan.made', {});
    expect(lines()).toHaveLength(5);
    const report = await openJournal(file).verify();
    expect(report.problems).toEqual([
      { line: 3, kind: 'truncated', message: expect.stringMatching(/no line end/), acknowledgedAt: 4 },
    ]);
  });

  it('after an edited middle line found by verify(): the next append records it once', async () => {
    await fill(openJournal(file), 6);
    const ls = lines();
    ls[2] = (ls[2] ?? '').replace('event 3', 'event 9');
    writeLines(ls);

    const j = openJournal(file);
    expect((await j.verify()).problems).toHaveLength(1);
    await j.append('step.started', {});
    await j.append('step.finished', {});
    await openJournal(file).append('verify.finished', {});

    const { events, report } = await openJournal(file).readEvents();
    expect(brief(report.problems)).toEqual([{ line: 3, kind: 'hash-mismatch' }]);
    expect(report.problems[0]?.acknowledgedAt).toBe(7);
    expect(events.map((e) => e.event.type).slice(6)).toEqual([
      'journal-break',
      'step.started',
      'step.finished',
      'verify.finished',
    ]);
    expect(events.map((e) => e.event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('new damage after a break gets its own break', async () => {
    await fill(openJournal(file), 4);
    truncateSync(file, statSync(file).size - 5);
    await openJournal(file).append('plan.made', {}); // break at line 5, event at line 6
    const ls = lines();
    ls[1] = (ls[1] ?? '').replace('event 2', 'event X');
    writeLines(ls);
    await openJournal(file).append('plan.made', {}); // second break at line 7
    await openJournal(file).append('plan.made', {});
    const report = await openJournal(file).verify();
    expect(report.problems.map((p) => [p.line, p.kind, p.acknowledgedAt])).toEqual([
      [2, 'hash-mismatch', 7],
      [4, 'truncated', 5],
    ]);
    expect(report.length).toBe(9);
  });

  it('deleting lines shifts line numbers: old break records no longer match, the damage is reported again', async () => {
    await fill(openJournal(file), 4);
    truncateSync(file, statSync(file).size - 5);
    await openJournal(file).append('plan.made', {});
    const ls = lines();
    ls.splice(1, 1);
    writeLines(ls);
    const report = await openJournal(file).verify();
    expect(report.problems.map((p) => [p.line, p.kind, p.acknowledgedAt])).toEqual([
      [2, 'seq-gap', undefined],
      [3, 'malformed', undefined],
    ]);
  });
});

describe('journal: secrets', () => {
  it('refuses a line that contains a secret, writing nothing', async () => {
    const j = openJournal(file);
    await j.append('scan.started', {});
    const before = readFileSync(file);
    await expect(
      j.append('step.started', { argv: ['uninstall.exe', '/pwd=hunter2'] }, { secrets: ['hunter2'] }),
    ).rejects.toBeInstanceOf(JournalSecretError);
    await expect(
      j.append('step.started', { nested: { deep: ['x', { k: 'a"b\\c' }] } }, { secrets: ['a"b\\c'] }),
    ).rejects.toThrow(/contains a secret/);
    await expect(j.append('step.started', { hunter2: true }, { secrets: ['hunter2'] })).rejects.toThrow(
      JournalSecretError,
    );
    expect(readFileSync(file).equals(before)).toBe(true);
    await expect(
      j.append('step.started', { argv: ['uninstall.exe', '/pwd=***'] }, { secrets: ['hunter2', ''] }),
    ).resolves.toMatchObject({
      seq: 2,
    });
  });

  it('the error message does not repeat the secret', async () => {
    const err = await openJournal(file)
      .append('step.started', { p: 'S3cr3t!' }, { secrets: ['S3cr3t!'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalSecretError);
    expect(String(err)).not.toContain('S3cr3t!');
  });
});

describe('journal: concurrent writers', () => {
  it('two processes and in-process calls appending at once produce one valid chain with every event', async () => {
    const journalModule = pathToFileURL(
      fileURLToPath(new URL('../../core/journal/log.ts', import.meta.url)),
    ).href;
    const child = join(dir, 'child.mts');
    writeFileSync(
      child,
      `import { openLog as openJournal } from ${JSON.stringify(journalModule)};
const [file, who, n] = process.argv.slice(2);
const j = openJournal(file);
for (let i = 0; i < Number(n); i++) await j.append('test.event', { who, i });
`,
    );
    const N = 40;
    const spawnOne = (who: string): Promise<unknown> =>
      run(process.execPath, ['--import', 'tsx', child, file, who, String(N)], { cwd: process.cwd() });
    const local = openJournal(file);
    const other = openJournal(file);
    await Promise.all([
      spawnOne('a'),
      spawnOne('b'),
      ...Array.from({ length: 20 }, (_, i) => (i % 2 ? local : other).append('test.event', { who: 'c', i })),
    ]);

    const { events, report } = await openJournal(file).readEvents();
    expect(report.problems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(report.length).toBe(2 * N + 20);
    expect(events.map((e) => e.event.seq)).toEqual(Array.from({ length: 2 * N + 20 }, (_, i) => i + 1));
    const seen = new Set(events.map((e) => `${String(e.event.data.who)}:${String(e.event.data.i)}`));
    expect(seen.size).toBe(2 * N + 20);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('recovers a lock left by a process that died', async () => {
    await openJournal(file).append('scan.started', {});
    const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(stdout);
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({
        pid: deadPid,
        host: (await import('node:os')).hostname(),
        at: new Date().toISOString(),
        token: 't',
      }),
    );
    const started = Date.now();
    await openJournal(file).append('scan.finished', {});
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await openJournal(file).verify()).intact).toBe(true);
  });

  it('waits for a live holder and gives up with a clear error', async () => {
    await openJournal(file).append('scan.started', {});
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: (await import('node:os')).hostname(),
        at: new Date().toISOString(),
        token: 't',
      }),
    );
    const j = openJournal(file, { lock: { timeoutMs: 200 } });
    const err = await j.append('scan.finished', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalLockError);
    expect(String(err)).toMatch(/journal\.jsonl\.lock/);
    rmSync(`${file}.lock`);
    await expect(j.append('scan.finished', {})).resolves.toMatchObject({ seq: 2 });
  });
});

describe('journal: size', () => {
  it('head() reads backward past long lines and a cut-off tail', async () => {
    const j = openJournal(file);
    await j.append('scan.started', {});
    await j.append('scan.finished', { big: 'y'.repeat(300_000) });
    const report = await j.verify();
    expect(await j.head()).toEqual({ seq: 2, hash: report.head?.hash });
    const { appendFileSync } = await import('node:fs');
    appendFileSync(file, '{"seq":3,"at":"2025-');
    expect((await j.head())?.seq).toBe(2);
  });

  it('refuses to write a line over the size limit, and reports an over-long line when reading', async () => {
    const j = openJournal(file, { maxLineBytes: 1000 });
    await j.append('scan.started', { small: true });
    await expect(j.append('scan.finished', { big: 'z'.repeat(2000) })).rejects.toThrow(RangeError);
    await openJournal(file).append('scan.finished', { big: 'z'.repeat(2000) });
    await openJournal(file).append('plan.made', {});
    const report = await openJournal(file, { maxLineBytes: 1000 }).verify();
    expect(brief(report.problems)).toEqual([{ line: 2, kind: 'malformed' }]);
    expect(report.problems[0]?.message).toMatch(/too long/);
    expect((await openJournal(file).verify()).intact).toBe(true);
  });

  it('verifies a journal of many events by streaming, and appends do not re-read it', async () => {
    const j = openJournal(file);
    // Build a large file quickly by writing a valid chain directly.
    const out: string[] = [];
    let prev = GENESIS_HASH;
    const pad = 'x'.repeat(400);
    for (let seq = 1; seq <= 50_000; seq += 1) {
      const line = JSON.stringify({
        seq,
        at: '2025-01-01T00:00:00.000Z',
        type: 'scan.finished',
        prev,
        data: { pad },
      });
      out.push(line);
      prev = sha(line);
    }
    mkdirSync(join(dir, 'data'));
    writeFileSync(file, `${out.join('\n')}\n`);
    const t0 = performance.now();
    const report = await j.verify();
    const verifyMs = performance.now() - t0;
    expect(report.intact).toBe(true);
    expect(report.length).toBe(50_000);

    await j.append('plan.made', {}); // first append checks the file
    const t1 = performance.now();
    for (let i = 0; i < 20; i += 1) await j.append('plan.made', { i });
    const perAppend = (performance.now() - t1) / 20;
    expect(perAppend).toBeLessThan(verifyMs);
    expect((await j.head())?.seq).toBe(50_021);
  });
});

describe.skipIf(!posix)('a journal that is a link is refused, never followed (15.5)', () => {
  it('verify, read and head refuse a journal linked to another file, and quote none of it', async () => {
    mkdirSync(join(dir, 'data'));
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'root:x:0:0:root:/root:/bin/bash\n');
    symlinkSync(target, file);
    const j = openJournal(file);
    const refused = `The journal ${file} is a symbolic link, which Divest does not follow here.`;
    await expect(j.verify()).rejects.toThrow(refused);
    await expect(j.readEvents()).rejects.toThrow(refused);
    await expect(j.head()).rejects.toThrow(refused);
    await expect(j.verify()).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('append refuses a linked journal and leaves the target as it was', async () => {
    mkdirSync(join(dir, 'data'));
    const target = join(dir, 'elsewhere.jsonl');
    writeFileSync(target, '');
    symlinkSync(target, file);
    await expect(openJournal(file).append('scan.started', { n: 1 })).rejects.toThrow(/is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('');
  });

  it('append refuses a dangling link instead of creating its target', async () => {
    mkdirSync(join(dir, 'data'));
    const target = join(dir, 'created-through-the-link.jsonl');
    symlinkSync(target, file);
    await expect(openJournal(file).append('scan.started', { n: 1 })).rejects.toThrow(/is a symbolic link/);
    expect(existsSync(target)).toBe(false);
  });

  it('a journal that is a folder is refused with a sentence', async () => {
    mkdirSync(file, { recursive: true });
    await expect(openJournal(file).verify()).rejects.toThrow(
      `The journal ${file} is a folder, not a regular file.`,
    );
  });
});
