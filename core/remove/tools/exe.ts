/**
 * A vendor's own EXE uninstaller, for products that are not Windows Installer packages.
 *
 * The command comes from the Uninstall entry (QuietUninstallString first, then UninstallString),
 * and runs only when it checks out against the recipe (`../windows-cmdline.ts`: an absolute path,
 * a file name the catalog's pattern matches whole, known quiet switches) and the image lives where
 * only an administrator can put it: the vendor's folder under Program Files, Program Files (x86) or
 * ProgramData, or the product's own install folder when that is under Program Files. An HKCU entry
 * any user can write, pointing at a payload in Downloads, is refused whatever the pattern.
 *
 * Exit codes follow the msiexec conventions for restarts (3010/1641); otherwise only 0 is success.
 */
import path from 'node:path';
import { windowsTools } from '../../host/windows';
import type { PlanStep } from '../../model/plan';
import type { Finding } from '../../model/scan';
import { checkExeUninstallString } from '../windows-cmdline';
import { classifyAbnormal, nameAndVersion, plainAttempt, stepBase } from './common';
import { orphanedEntryText } from './msiexec';
import type { Drafted, Presence, PresenceContext, UninstallerTool } from './tool';
import { vendorLocations } from './vendor-locations';

type Entry = Finding['removalHints']['uninstallEntries'][number];

/** Program Files (both views) and ProgramData of the machine, from its environment. */
function systemFolders(env: NodeJS.ProcessEnv): { programFiles: string[]; programData: string } {
  const drive = env.SystemDrive ?? 'C:';
  const programFiles = [
    env.ProgramW6432,
    env.ProgramFiles ?? `${drive}\\Program Files`,
    env['ProgramFiles(x86)'] ?? `${drive}\\Program Files (x86)`,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return {
    programFiles: [...new Set(programFiles)],
    programData: env.ProgramData ?? env.ALLUSERSPROFILE ?? `${drive}\\ProgramData`,
  };
}

/** True when the Windows path `p` is strictly inside `dir` (compared without case). */
function winInside(p: string, dir: string): boolean {
  const norm = (s: string): string => path.win32.normalize(s).replace(/\\+$/, '').toLowerCase();
  const d = norm(dir);
  return d.length > 3 && norm(p).startsWith(`${d}\\`);
}

/** Why `image` may not run as this product's uninstaller, or undefined when it may. */
export function imageLocationProblem(
  image: string,
  entry: Entry,
  vendorId: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const { programFiles, programData } = systemFolders(env);
  const vendorDirs = vendorLocations(vendorId).windowsFolders.flatMap((f) =>
    [...programFiles, programData].map((root) => path.win32.join(root, f)),
  );
  if (vendorDirs.some((d) => winInside(image, d))) return undefined;
  const install = entry.installLocation;
  if (install && programFiles.some((pf) => winInside(install, pf)) && winInside(image, install))
    return undefined;
  return `${image} is neither in the vendor's folder under Program Files or ProgramData nor in the product's install folder under Program Files`;
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

export const exe: UninstallerTool = {
  name: 'exe',
  defaultTimeoutMs: 30 * 60_000,

  plan(finding, product, _facts, o) {
    const recipe = product.removal?.windows;
    if (!recipe) return [{ skip: 'the catalog has no automated Windows removal for this product' }];
    const env = o.env ?? process.env;
    const images = recipe.exeImages.map((p) => new RegExp(p.re, 'iu'));
    const out: Drafted[] = [];
    for (const entry of finding.removalHints.uninstallEntries) {
      const tried: string[] = [];
      let accepted: { image: string; args: string[] } | undefined;
      for (const candidate of [entry.quietUninstallString, entry.uninstallString]) {
        if (!candidate) continue;
        const check = checkExeUninstallString(candidate, images, recipe.exeQuietArgs);
        if (!check.ok) {
          tried.push(check.reason);
          continue;
        }
        if (check.kind !== 'exe') continue;
        const misplaced = imageLocationProblem(check.image, entry, product.vendor, env);
        if (misplaced) {
          tried.push(misplaced);
          continue;
        }
        accepted = { image: check.image, args: check.args.length ? check.args : [...recipe.exeQuietArgs] };
        break;
      }
      if (!accepted) {
        out.push({
          skip: `the uninstall command in ${entry.location} does not match the catalog's recipe (${tried.join('; ') || 'none given'})`,
        });
        continue;
      }
      out.push({
        ...stepBase(finding, product, 'windows'),
        title: `Uninstall ${nameAndVersion(finding)} (vendor uninstaller)`,
        method: 'exe',
        tool: 'exe',
        argv: [accepted.image, ...accepted.args],
        targets: [entry.location],
        timeoutMs: o.timeoutMs ?? exe.defaultTimeoutMs,
        preflight: [
          'Administrator rights (an elevated prompt)',
          `The entry ${entry.location} is still present`,
        ],
        notes: [],
      });
    }
    return out;
  },

  classify(r) {
    const abnormal = classifyAbnormal(r);
    if (abnormal) return abnormal;
    const code = r.exitCode as number;
    if (code === 0)
      return { outcome: 'removed', message: 'The vendor uninstaller finished successfully (0).' };
    if (code === 3010 || code === 1641)
      return {
        outcome: 'reboot-required',
        message: `The vendor uninstaller finished; a restart is required (${code}).`,
      };
    return { outcome: 'failed', message: `The vendor uninstaller failed with exit code ${code}.` };
  },

  presence: entryPresence,

  prepareAttempt(step) {
    return plainAttempt(step.argv);
  },

  cleanUpText(_step, f) {
    return f.kind === 'orphaned' ? orphanedEntryText(f.present) : undefined;
  },
};
