/**
 * `divest remove`: execute the plan (or continue an unfinished one, re-derived), verify, check the
 * replacement, and say where the machine stands (the one verdict).
 *
 * Exit codes: 0 removed (or nothing to remove) and protected, 20 a restart is needed to finish,
 * 30 not done (failed, interrupted, stopped, no administrator rights), 40 done but the machine is
 * UNPROTECTED, 2 usage. `--json` writes `divest.remove/2` (with the verdict).
 */
import { describeTick, stepClock } from '../core/usecases/removal-progress';
import { progressLine } from './progress-line';
import * as z from 'zod';
import { isDivestError } from '../core/errors';
import { withExitCodesFlag, type RemovalSummary } from '../core/fleet/exit-codes';
import type { Plan, PlanStep } from '../core/model/plan';
import type { Credentials } from '../core/remove/execute';
import { prepareRemoval } from '../core/usecases/plan';
import { removalGate, runRemoval } from '../core/usecases/remove';
import { COMMON_FLAGS, CommonOptions, OnlyOption, UsageError, checkOnly, parseCommand } from './args';
import { makeWorkspace } from './context';
import { formatPlan } from './plan-command';
import { ask, askSecret, interactive, readStdin } from './prompt';
import { describeEvent, formatRemoval } from './remove-format';
import { safe } from './safe-output';

const HELP = `divest remove --yes [--only PRODUCT_ID]... [--dry-run] [--json] [--login NAME] [--password-stdin]
              [--new-plan] [--step-timeout SECONDS] [--run-image-scripts-on-this-machine] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Runs the removal plan with the vendors' own uninstallers, then rescans, lists leftovers and checks
that a replacement antivirus is active. An unfinished plan (after a crash or a restart) is continued
once a fresh scan and the catalog call for exactly the steps it has left; otherwise it is set aside
and a new plan runs. Nothing is ever run from the journal.
  --yes              Confirm. Without it, remove asks at the terminal and refuses when there is none.
  --dry-run          Print the exact command of every step and change nothing.
  --only ID          Only this catalog product (repeatable).
  --login NAME       Uninstall login for password-protected products (KES: KLLOGIN; default KLAdmin).
  --password-stdin   Read the uninstall password from standard input (never stored or shown).
  --step-timeout S   Stop an uninstaller that runs longer than S seconds (default 1800, packages 600).
  --new-plan         Set an unfinished plan aside and make a new one.
  --run-image-scripts-on-this-machine
                     With --host-root: when the image has no shell, run its packages' removal
                     scripts on THIS machine as root (dpkg --force-script-chrootless). Only for an
                     image you trust: a hostile image's scripts could change this machine.
  --exit-codes msi   Exit with Windows Installer codes instead (ConfigMgr, Intune): 0, 3010 restart, 1618 busy, 1603 failed.
Exit codes: 0 removed (or nothing to remove) and protected, 20 restart needed to finish,
30 not done (failed, interrupted, stopped, no administrator rights), 40 removed but UNPROTECTED, 2 usage.
`;

/** The longest uninstall password read from standard input. */
const MAX_PASSWORD_BYTES = 4096;

const Options = CommonOptions.extend({
  yes: z.boolean().default(false),
  'dry-run': z.boolean().default(false),
  only: OnlyOption,
  login: z.string().min(1).max(256).optional(),
  'password-stdin': z.boolean().default(false),
  'new-plan': z.boolean().default(false),
  'run-image-scripts-on-this-machine': z.boolean().default(false),
  'step-timeout': z
    .string()
    .regex(/^\d+$/, '--step-timeout takes a whole number of seconds')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 86_400, '--step-timeout must be between 1 and 86400 seconds')
    .optional(),
});

async function removeCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  report?: (removal: RemovalSummary) => void,
): Promise<number> {
  const { options, help } = parseCommand(
    'remove',
    argv,
    {
      ...COMMON_FLAGS,
      yes: { type: 'boolean', short: 'y' },
      'dry-run': { type: 'boolean' },
      only: { type: 'string', multiple: true },
      login: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'new-plan': { type: 'boolean' },
      'run-image-scripts-on-this-machine': { type: 'boolean' },
      'step-timeout': { type: 'string' },
    },
    Options,
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  checkOnly('remove', options.only, ws.catalog.catalog);
  const planOptions = {
    only: options.only,
    newPlan: options['new-plan'],
    dryRun: options['dry-run'],
    allowImageScriptsOnHost: options['run-image-scripts-on-this-machine'],
    ...(options['step-timeout'] ? { timeoutMs: options['step-timeout'] * 1000 } : {}),
  };

  // A password given on stdin is read before anything else touches stdin.
  let stdinPassword: string | undefined;
  if (options['password-stdin']) {
    if (process.stdin.isTTY)
      throw new UsageError(
        'remove: --password-stdin reads the password from a pipe, and standard input is a terminal (it would echo): leave --password-stdin out and Divest asks without echo when a product needs it',
      );
    stdinPassword = (await readStdin(MAX_PASSWORD_BYTES)).replace(/\r?\n$/, '');
    if (!stdinPassword)
      throw new UsageError('remove: --password-stdin was given but standard input was empty');
  }

  if (options['dry-run']) {
    const prep = await prepareRemoval(ws, planOptions);
    const plan: Plan = prep.plan;
    const replaced = prep.kind === 'new' ? prep.replaced : undefined;
    if (options.json)
      out.write(
        `${JSON.stringify({ schema: 'divest.remove-dry-run/1', resume: prep.kind !== 'new', replaces: replaced ?? null, plan }, null, 2)}\n`,
      );
    else {
      if (prep.kind !== 'new') out.write(`An unfinished plan would be continued (${prep.kind}).\n`);
      if (replaced)
        out.write(safe`The unfinished plan ${replaced.planId} would be set aside: ${replaced.reason}.\n`);
      out.write(`Dry run: nothing will be changed. These are the exact commands:\n\n${formatPlan(plan)}`);
    }
    return 0;
  }

  if (!options.yes) {
    if (!interactive())
      throw new UsageError(
        'remove changes this machine: pass --yes to confirm (there is no terminal to ask on)',
      );
  }

  let rights;
  try {
    rights = await removalGate(ws);
  } catch (e) {
    if (!isDivestError(e, 'no-admin')) throw e;
    err.write(
      `divest: ${e.message} Run it from an elevated prompt (Windows) or with sudo (Linux, macOS).\n` +
        'Without them you can still scan, plan and export a receipt: "divest scan", "divest plan", "divest receipt export".\n',
    );
    return 30;
  }
  if (rights.admin === 'unknown')
    err.write(
      `divest: could not confirm administrator rights (${rights.how}); the uninstallers will report it if they lack them.\n`,
    );

  const prep = await prepareRemoval(ws, planOptions);
  if (prep.kind === 'reboot-pending') {
    const msg = `A restart is pending to finish removal plan ${prep.plan.id} (since ${prep.since}). Restart the machine, then run "divest remove" again to verify.`;
    if (options.json)
      out.write(
        `${JSON.stringify({ schema: 'divest.remove/2', planId: prep.plan.id, status: 'reboot-pending', message: msg, exitCode: 20 }, null, 2)}\n`,
      );
    else err.write(`${msg}\n`);
    return 20;
  }
  if (prep.kind === 'resume')
    err.write(
      `Continuing the unfinished removal plan ${prep.plan.id} (re-derived and unchanged): ${prep.doneSteps} of ${prep.plan.steps.length} steps already done.\n`,
    );
  if (prep.kind === 'new' && prep.replaced)
    err.write(
      safe`The unfinished plan ${prep.replaced.planId} was set aside: ${prep.replaced.reason}. A new plan runs.\n`,
    );
  const plan = prep.plan;
  if (plan.steps.length === 0 && prep.kind === 'new') {
    err.write(
      'Nothing to remove: no banned software is installed. Verifying and checking the replacement.\n',
    );
  } else if (!options.yes) {
    err.write(formatPlan(plan));
    const a = await ask(
      `\nRemove now (${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'})? Type "yes" to start: `,
    );
    if (a.toLowerCase() !== 'yes') {
      err.write('Nothing was changed.\n');
      return 30;
    }
  }

  const canAsk = interactive();
  const credentials = async (step: PlanStep): Promise<Credentials | undefined> => {
    if (stdinPassword !== undefined) return { password: stdinPassword, login: options.login ?? 'KLAdmin' };
    if (!canAsk) return undefined;
    err.write(`\n${step.productName} refused to uninstall; it may be password-protected.\n`);
    const password = await askSecret('Uninstall password (leave empty to skip): ');
    if (!password) return undefined;
    const login =
      step.credentials === 'kes-kllogin-klpasswd'
        ? (options.login ?? ((await ask('Login [KLAdmin]: ')) || 'KLAdmin'))
        : undefined;
    return { password, ...(login ? { login } : {}) };
  };
  const manual = async (step: PlanStep): Promise<'done' | 'failed' | 'not-now'> => {
    if (!canAsk || options.yes) return 'not-now';
    const a = (
      await ask(`Have you completed the steps above for ${step.productName}? [yes/no/later]: `)
    ).toLowerCase();
    return a === 'yes' ? 'done' : a === 'no' ? 'failed' : 'not-now';
  };

  // Ctrl-C or SIGTERM stop the plan before its next step. A running uninstaller is never killed
  // half-way (that is how products end up half-removed); Divest waits for it, journals its result,
  // and the next "divest remove" continues the plan.
  const abort = new AbortController();
  const stop = (sig: string): void => {
    const already = abort.signal.aborted;
    abort.abort();
    try {
      if (!already)
        err.write(
          `\ndivest: ${sig}: stopping after the current step; the running uninstaller is left to finish. Run "divest remove" again to continue.\n`,
        );
      else err.write(`\ndivest: still waiting for the current uninstaller to finish.\n`);
    } catch {
      /* the terminal is gone */
    }
  };
  const onInt = (): void => stop('interrupted');
  const onTerm = (): void => stop('terminated');
  // A closed terminal or a dropped SSH session: stop as for Ctrl-C (never die mid-step, never
  // orphan the uninstaller). Writing to the gone terminal may fail: that must not stop us.
  const onHup = (): void => stop('the terminal was closed (SIGHUP)');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  // At a terminal, a live line: step k of n, time against the step's limit, long silences.
  const line = progressLine(err, { json: options.json });
  const clock = stepClock(plan, (t) => line.update(describeTick(t)));
  const outcome = await runRemoval(ws, plan, {
    signal: abort.signal,
    credentials,
    manual,
    onEvent: options.json
      ? undefined
      : (e) => {
          clock.onEvent(e);
          if (e.type === 'step-output') return;
          line.clear();
          describeEvent(e, err);
        },
    ...(prep.kind === 'resume' && prep.rebooted ? { rebootCompleted: true } : {}),
  }).finally(() => {
    clock.stop();
    line.clear();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  });
  report?.({ results: outcome.execution.results });
  if (options.json)
    out.write(
      `${JSON.stringify(
        {
          schema: 'divest.remove/2',
          verdict: outcome.verdict,
          planId: outcome.plan.id,
          status: outcome.execution.status,
          resumed: outcome.execution.resumed,
          results: outcome.execution.results,
          remaining: outcome.execution.remaining,
          after: {
            findings: outcome.after.findings,
            leftovers: outcome.leftovers,
            stillInstalled: outcome.stillInstalled,
          },
          replacement: outcome.replacement,
          exitCode: outcome.exitCode,
        },
        null,
        2,
      )}\n`,
    );
  else out.write(formatRemoval(outcome));
  return outcome.exitCode;
}

/** Runs `divest remove` (`--exit-codes msi`: Windows Installer codes, core/fleet/exit-codes.ts). */
export const runRemove = withExitCodesFlag(removeCommand, (m) => new UsageError(m));
