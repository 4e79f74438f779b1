/**
 * dpkg: `dpkg --purge` (or `--remove`) of the packages the scan attributed to the product.
 *
 * Against an image (`--host-root R`): `--root=R`, and `--log` inside the image (dpkg --root does
 * not move its log). dpkg runs the packages' maintainer scripts chrooted into R, which needs a
 * shell in the image. An image without one could only have its scripts run on THIS machine, as
 * root (`--force-script-chrootless`): a hostile image's prerm would then run here. So by default
 * that becomes a guided manual step; only the plan option `allowImageScriptsOnHost` (the CLI's loud
 * `--run-image-scripts-on-this-machine`) runs them here, and the step says so.
 *
 * Exit statuses from dpkg(1); presence from dpkg's own database (status plus pending updates).
 */
import path from 'node:path';
import { readDpkgDatabase } from '../../host/dpkg-db';
import { dpkgFilesPresent } from '../../host/parsers/dpkg-status';
import { classifyAbnormal, commandLine, nameAndVersion, outputTail, plainAttempt, stepBase } from './common';
import { databaseOf, pickPackages } from './packages';
import type { Refusal, UninstallerTool } from './tool';

/** The flag that lets an image's scripts run on this machine (implemented by the CLI). */
export const IMAGE_SCRIPTS_FLAG = '--run-image-scripts-on-this-machine';

/** Why an image without a shell gets a manual step, and what to do instead. */
function imageScriptsRefusal(root: string, names: readonly string[], verb: string): Refusal {
  return {
    skip: `the image at ${root} has no shell (/bin/sh), so dpkg could run the packages' removal scripts only on this machine, as root, outside the image (dpkg --force-script-chrootless); Divest does not run an image's scripts on this machine unless told to`,
    byHand: [
      `Remove the packages on that machine itself: start it and run "dpkg ${verb} ${names.join(' ')}" as root there (or run Divest on it).`,
      `Or mount the image with its shell: if its /usr is a separate file system, mount it inside the image too (so that its /bin/sh is there), then plan again; dpkg then runs the scripts inside the image.`,
      `Only if you trust the image: plan again with ${IMAGE_SCRIPTS_FLAG}; its removal scripts then run on this machine as root with DPKG_ROOT=${root}.`,
    ],
  };
}

export const dpkg: UninstallerTool = {
  name: 'dpkg',
  defaultTimeoutMs: 10 * 60_000,

  plan(finding, product, facts, o) {
    const recipe = product.removal?.linux;
    if (!recipe) return [{ skip: 'the catalog has no package removal recipe for this product' }];
    const picked = pickPackages(finding, product, 'dpkg', o.hostRoot);
    if ('skip' in picked) return [picked];
    const { names, refusals } = picked;
    if (names.length === 0) return refusals;
    const verb = recipe.purge ? '--purge' : '--remove';
    const notes: string[] = [];
    const argv = [facts.binaries.dpkg ?? 'dpkg'];
    if (o.hostRoot) {
      // dpkg --root does not move its log: keep the image's history in the image.
      argv.push(`--root=${o.hostRoot}`, `--log=${path.posix.join(o.hostRoot, 'var/log/dpkg.log')}`);
      if (!facts.imageHasShell) {
        if (!o.allowImageScriptsOnHost) return [imageScriptsRefusal(o.hostRoot, names, verb), ...refusals];
        argv.push('--force-script-chrootless');
        notes.push(
          `The image at ${o.hostRoot} has no shell, so the packages' removal scripts run on this machine with DPKG_ROOT=${o.hostRoot} (dpkg --force-script-chrootless), as they were when the image was built.`,
          `This was allowed (${IMAGE_SCRIPTS_FLAG}): the image's scripts run here as root, and a hostile image's scripts could change this machine.`,
        );
      }
      if (facts.uid !== undefined && facts.uid !== 0) argv.push('--force-not-root');
    }
    argv.push(verb, ...names);
    const database = databaseOf(finding, 'dpkg');
    return [
      {
        ...stepBase(finding, product, o.os),
        title: `Remove ${nameAndVersion(finding)} (dpkg ${recipe.purge ? 'purge' : 'remove'}: ${names.join(', ')})`,
        method: 'package',
        tool: 'dpkg',
        argv,
        targets: names,
        ...(database ? { database } : {}),
        timeoutMs: o.timeoutMs ?? dpkg.defaultTimeoutMs,
        preflight: ['Administrator (root) rights', 'The packages are still registered with dpkg'],
        notes,
      },
      ...refusals,
    ];
  },

  classify(r) {
    const abnormal = classifyAbnormal(r);
    if (abnormal) return abnormal;
    const code = r.exitCode as number;
    if (code === 0) return { outcome: 'removed', message: 'dpkg removed the packages (0).' };
    if (
      code === 2 &&
      /lock(ed)? (was locked )?by another process|database is locked|frontend lock|unable to acquire the dpkg/i.test(
        `${r.stderr}${r.stdout}`,
      )
    )
      return {
        outcome: 'failed',
        retry: true,
        message:
          "dpkg's database is locked by another process (another package operation, or an interrupted one still finishing); Divest waits and retries.",
      };
    const tail = outputTail(r);
    return {
      outcome: 'failed',
      message: `dpkg failed with exit code ${code}${tail ? `: ${tail}` : ''}. A removal script of the package may have failed.`,
    };
  },

  async presence(step, ctx) {
    const db = await readDpkgDatabase(ctx.hostRoot, step.database ?? '/var/lib/dpkg');
    if (!db) return { present: [], unknown: [...step.targets] };
    const purge = step.argv.includes('--purge');
    const present = step.targets.filter((t) =>
      db.records.some(
        (r) =>
          r.package === t &&
          (dpkgFilesPresent(r.status) || (purge && !/not-installed$/.test(r.status.trim()))),
      ),
    );
    return { present, unknown: [] };
  },

  prepareAttempt(step) {
    return plainAttempt(step.argv);
  },

  cleanUpText(step) {
    const root = step.argv.find((a) => a.startsWith('--root='));
    return `To finish by hand once the cause is fixed, run "${commandLine(step.argv)}" as root; "dpkg${root ? ` ${root}` : ''} --audit" lists packages a failed removal left half-done.`;
  },
};
