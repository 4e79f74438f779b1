/**
 * A lock file that serialises appends between processes (the CLI and the app may both write).
 *
 * The lock is a file created with O_EXCL (`wx`), holding the owner's pid, host and a random token.
 * Waiters retry briefly. A lock is stale when its owner is gone: on this host, a pid that is not
 * alive (or any lock older than 10 minutes, against pid reuse); from another host, or unreadable,
 * older than 30 seconds. Breaking a stale lock is itself serialised by a second O_EXCL file, and the
 * breaker re-reads the lock under it before deleting, so two waiters never both break and both take
 * the lock. Within one process, a promise queue per lock file avoids polling altogether.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { DivestError } from '../errors';

/**
 * How long to wait for a lock, and when a lock counts as abandoned.
 *
 * Appends hold the lock for milliseconds, so the defaults are generous.
 */
export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** An unreadable lock, or one from another host, is stale after this long (default 30 s). */
  staleMs?: number;
}

/**
 * The lock could not be taken in time.
 *
 * Names the lock file and its holder so that a person can decide whether to delete it.
 */
export class JournalLockError extends DivestError<'journal-locked'> {
  constructor(
    readonly lockFile: string,
    holder: string,
  ) {
    super(
      'journal-locked',
      `the journal is locked by ${holder} (lock file ${lockFile}); if no Divest process is running, delete that file`,
    );
  }
}

const LockContent = z.object({ pid: z.number().int(), host: z.string(), at: z.string(), token: z.string() });
type LockContent = z.infer<typeof LockContent>;

const OLD_MS = 10 * 60 * 1000;

interface LockState {
  raw: string;
  mtimeMs: number;
  content: LockContent | null;
}

function code(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

function readLock(file: string): LockState | null {
  try {
    const mtimeMs = statSync(file).mtimeMs;
    const raw = readFileSync(file, 'utf8');
    let content: LockContent | null = null;
    try {
      const parsed = LockContent.safeParse(JSON.parse(raw));
      if (parsed.success) content = parsed.data;
    } catch {
      // Being written, or damaged: judged by age.
    }
    return { raw, mtimeMs, content };
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return code(e) === 'EPERM';
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  const age = Date.now() - state.mtimeMs;
  const c = state.content;
  if (!c) return age > staleMs;
  if (c.host !== hostname()) return age > staleMs;
  return !pidAlive(c.pid) || age > OLD_MS;
}

function describe(state: LockState | null): string {
  const c = state?.content;
  return c ? `process ${c.pid} on ${c.host} since ${c.at}` : 'another process';
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

/** Deletes the lock if it is stale, under the breaker lock; true when the caller should retry now. */
function breakIfStale(file: string, staleMs: number): boolean {
  const seen = readLock(file);
  if (!seen) return true;
  if (!isStale(seen, staleMs)) return false;
  const breaker = `${file}.break`;
  if (!tryCreate(breaker, String(process.pid))) {
    const b = readLock(breaker);
    // A breaker holds its file for microseconds; an old one was left by a crash.
    if (b && Date.now() - b.mtimeMs > staleMs) unlinkQuietly(breaker);
    return false;
  }
  try {
    const again = readLock(file);
    if (!again) return true;
    if (again.raw !== seen.raw || again.mtimeMs !== seen.mtimeMs || !isStale(again, staleMs)) return false;
    unlinkQuietly(file);
    return true;
  } finally {
    unlinkQuietly(breaker);
  }
}

async function acquire(file: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const token = randomUUID();
  const content = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), token });
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    if (tryCreate(file, content)) return token;
    if (breakIfStale(file, staleMs)) continue;
    if (Date.now() > deadline) throw new JournalLockError(file, describe(readLock(file)));
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 50);
  }
}

function release(file: string, token: string): void {
  const state = readLock(file);
  // Only remove our own lock (if it was judged stale and broken, the new one is someone else's).
  if (state?.content?.token === token) unlinkQuietly(file);
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the lock file `lockFile`.
 *
 * Calls in the same process for the same file run one after another without polling; other
 * processes are kept out by the O_EXCL lock file.
 */
export async function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const key = resolve(lockFile);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(
    () => locked(key, fn, options),
    () => locked(key, fn, options),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function locked<T>(file: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const token = await acquire(file, options);
  try {
    return await fn();
  } finally {
    release(file, token);
  }
}
