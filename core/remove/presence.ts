/**
 * Is a step's target still on the machine? Asked before a step (nothing to do when it is already
 * gone) and after it (an uninstaller that says "done" while the product is still registered has
 * failed, whatever its exit code).
 */
import { describeImageError, ImageFs, isAbsent } from '../fs/image-fs';
import type { CommandRunner } from '../host/runner';
import { dpkgFilesPresent } from '../host/parsers/dpkg-status';
import { readDpkgDatabase } from '../host/dpkg-db';
import { UNINSTALL_SUBKEY, windowsTools } from '../host/windows';
import type { PlanStep } from '../model/plan';

export interface PresenceContext {
  runner: CommandRunner;
  /** The image root for Linux/macOS (`/` for the live system). */
  hostRoot: string;
  env?: NodeJS.ProcessEnv;
}

export interface Presence {
  /** Targets still present (installed or, for dpkg purge, configuration left). */
  present: string[];
  /** Targets whose state could not be determined. */
  unknown: string[];
}

async function dpkgPresence(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  const db = await readDpkgDatabase(ctx.hostRoot, step.database ?? '/var/lib/dpkg');
  if (!db) return { present: [], unknown: [...step.targets] };
  const { records } = db;
  const purge = step.argv.includes('--purge');
  const present = step.targets.filter((t) =>
    records.some(
      (r) =>
        r.package === t && (dpkgFilesPresent(r.status) || (purge && !/not-installed$/.test(r.status.trim()))),
    ),
  );
  return { present, unknown: [] };
}

async function rpmPresence(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  // The step's own rpm, root and database: everything before `-e`.
  const erase = step.argv.indexOf('-e');
  const base = erase > 0 ? step.argv.slice(0, erase) : ['rpm'];
  const r = await ctx.runner.run([...base, '-q', '--qf', '%{NAME}\\n', ...step.targets], {
    timeoutMs: 60_000,
  });
  if (r.spawnError || r.timedOut) return { present: [], unknown: [...step.targets] };
  const installed = new Set(r.stdout.split('\n').map((l) => l.trim()));
  return { present: step.targets.filter((t) => installed.has(t)), unknown: [] };
}

/** Whether Uninstall\{code} exists in either registry view (two `reg query` calls). */
async function msiPresence(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  const reg = windowsTools(ctx.env).reg;
  const present: string[] = [];
  const unknown: string[] = [];
  for (const code of step.targets) {
    let found = false;
    let known = true;
    // Per-machine entries in both registry views, and a per-user install's entry under HKCU.
    const queries = [
      [`HKLM\\${UNINSTALL_SUBKEY}\\${code}`, '/reg:64'],
      [`HKLM\\${UNINSTALL_SUBKEY}\\${code}`, '/reg:32'],
      [`HKCU\\${UNINSTALL_SUBKEY}\\${code}`],
    ];
    for (const q of queries) {
      const r = await ctx.runner.run([reg, 'query', ...q], { timeoutMs: 30_000 });
      if (r.exitCode === 0) found = true;
      else if (r.spawnError || r.timedOut) known = false;
    }
    if (found) present.push(code);
    else if (!known) unknown.push(code);
  }
  return { present, unknown };
}

/** Whether Uninstall entries (given by their full key path) still exist. */
async function entryPresence(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  const reg = windowsTools(ctx.env).reg;
  const present: string[] = [];
  for (const loc of step.targets) {
    const key = loc.replace(/^HKLM\\SOFTWARE\\WOW6432Node\\/i, 'HKLM\\SOFTWARE\\');
    const view = /WOW6432Node/i.test(loc) ? '/reg:32' : '/reg:64';
    const r = await ctx.runner.run([reg, 'query', key, ...(loc.startsWith('HKCU') ? [] : [view])], {
      timeoutMs: 30_000,
    });
    if (r.exitCode === 0) present.push(loc);
  }
  return { present, unknown: [] };
}

async function pathPresence(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  const fs = new ImageFs(ctx.hostRoot);
  const present: string[] = [];
  const unknown: string[] = [];
  for (const p of step.targets) {
    try {
      await fs.stat(p);
      present.push(p);
    } catch (e) {
      // Absent is gone; a path that could not be inspected is not known to be gone.
      if (!isAbsent(describeImageError(e))) unknown.push(p);
    }
  }
  return { present, unknown };
}

/** What of a step's targets is still there. */
export async function targetsPresent(step: PlanStep, ctx: PresenceContext): Promise<Presence> {
  switch (step.tool) {
    case 'dpkg':
      return dpkgPresence(step, ctx);
    case 'rpm':
      return rpmPresence(step, ctx);
    case 'msiexec':
      return msiPresence(step, ctx);
    case 'exe':
      return entryPresence(step, ctx);
    case 'script':
      return pathPresence(step, ctx);
    case 'manual':
      return { present: [], unknown: [] };
  }
}
