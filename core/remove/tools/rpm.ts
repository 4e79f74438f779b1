/**
 * rpm: `rpm -e` of the packages the scan attributed to the product.
 *
 * Always with the database the scan read (`--dbpath`: Debian's rpm otherwise reads `~/.rpmdb`,
 * finds nothing, and creates one inside the image). Against an image, `--root`: rpm runs the
 * scriptlets chrooted into it, so an image's scripts never run on this machine (without a shell in
 * the image they fail, and the step with them).
 *
 * Exit statuses from rpm(8); presence with the step's own rpm, root and database.
 */
import { classifyAbnormal, commandLine, nameAndVersion, outputTail, plainAttempt, stepBase } from './common';
import { databaseOf, pickPackages } from './packages';
import type { UninstallerTool } from './tool';

export const rpm: UninstallerTool = {
  name: 'rpm',
  defaultTimeoutMs: 10 * 60_000,

  plan(finding, product, facts, o) {
    if (!product.removal?.linux)
      return [{ skip: 'the catalog has no package removal recipe for this product' }];
    const picked = pickPackages(finding, product, 'rpm', o.hostRoot);
    if ('skip' in picked) return [picked];
    const { names, refusals } = picked;
    if (names.length === 0) return refusals;
    const database = databaseOf(finding, 'rpm');
    const argv = [facts.binaries.rpm ?? 'rpm'];
    if (o.hostRoot) argv.push('--root', o.hostRoot);
    if (database) argv.push('--dbpath', database);
    argv.push('-e', ...names);
    return [
      {
        ...stepBase(finding, product, o.os),
        title: `Remove ${nameAndVersion(finding)} (rpm remove: ${names.join(', ')})`,
        method: 'package',
        tool: 'rpm',
        argv,
        targets: names,
        ...(database ? { database } : {}),
        timeoutMs: o.timeoutMs ?? rpm.defaultTimeoutMs,
        preflight: ['Administrator (root) rights', 'The packages are still registered with rpm'],
        notes: [],
      },
      ...refusals,
    ];
  },

  classify(r) {
    const abnormal = classifyAbnormal(r);
    if (abnormal) return abnormal;
    const code = r.exitCode as number;
    const said = `${r.stderr}${r.stdout}`;
    if (code === 0) return { outcome: 'removed', message: 'rpm removed the packages (0).' };
    if (/can't create transaction lock|transaction lock|database lock/i.test(said))
      return {
        outcome: 'failed',
        retry: true,
        message: "rpm's database is locked by another process; Divest waits and retries.",
      };
    if (/is not installed/.test(said))
      return {
        outcome: 'already-absent',
        message: 'rpm: the package is not installed: it was already removed.',
      };
    const tail = outputTail(r);
    return { outcome: 'failed', message: `rpm failed with exit code ${code}${tail ? `: ${tail}` : ''}.` };
  },

  async presence(step, ctx) {
    // The step's own rpm, root and database: everything before `-e`.
    const erase = step.argv.indexOf('-e');
    const base = erase > 0 ? step.argv.slice(0, erase) : ['rpm'];
    const r = await ctx.runner.run([...base, '-q', '--qf', '%{NAME}\\n', ...step.targets], {
      timeoutMs: 60_000,
    });
    if (r.spawnError || r.timedOut) return { present: [], unknown: [...step.targets] };
    const installed = new Set(r.stdout.split('\n').map((l) => l.trim()));
    return { present: step.targets.filter((t) => installed.has(t)), unknown: [] };
  },

  prepareAttempt(step) {
    return plainAttempt(step.argv);
  },

  cleanUpText(step, f) {
    const erase = step.argv.indexOf('-e');
    const query = [...step.argv.slice(0, erase > 0 ? erase : 1), '-q', ...f.present];
    if (f.kind === 'orphaned')
      return `But rpm still lists ${f.present.join(', ')} as installed: check with "${commandLine(query)}" and remove it by hand.`;
    return `To finish by hand once the cause is fixed, run "${commandLine(step.argv)}" as root.`;
  },
};
