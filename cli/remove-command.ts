/**
 * `divest remove`: execute the plan (or continue an unfinished one), verify, check the replacement.
 *
 * Exit codes: 0 removed and verified, 20 a restart is needed to finish, 30 something failed
 * (including missing administrator rights), 2 usage (including no --yes and no terminal to ask).
 */
import * as z from 'zod';
import { isDivestError } from '../core/errors';
import type { Plan, PlanStep } from '../core/model/plan';
import type { Credentials, ExecutionEvent } from '../core/remove/execute';
import { prepareRemoval } from '../core/usecases/plan';
import { removalGate, runRemoval, type RemovalOutcome } from '../core/usecases/remove';
import { COMMON_FLAGS, CommonOptions, OnlyOption, UsageError, checkOnly, parseCommand } from './args';
import { makeWorkspace } from './context';
import { formatPlan } from './plan-command';
import { ask, askSecret, interactive, readStdin } from './prompt';

const HELP = `divest remove --yes [--only PRODUCT_ID]... [--dry-run] [--json] [--login NAME] [--password-stdin]
              [--step-timeout SECONDS] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Runs the removal plan with the vendors' own uninstallers, then rescans, lists leftovers and checks
that a replacement antivirus is active. An unfinished plan (after a crash or a restart) is continued.
  --yes              Confirm. Without it, remove asks at the terminal and refuses when there is none.
  --dry-run          Print the exact command of every step and change nothing.
  --only ID          Only this catalog product (repeatable).
  --login NAME       Uninstall login for password-protected products (KES: KLLOGIN; default KLAdmin).
  --password-stdin   Read the uninstall password from standard input (never stored or shown).
  --step-timeout S   Stop an uninstaller that runs longer than S seconds (default 1800, packages 600).
Exit codes: 0 removed and verified, 20 restart needed to finish, 30 something failed, 2 usage.
`;

const Options = CommonOptions.extend({
  yes: z.boolean().default(false),
  'dry-run': z.boolean().default(false),
  only: OnlyOption,
  login: z.string().min(1).max(256).optional(),
  'password-stdin': z.boolean().default(false),
  'step-timeout': z
    .string()
    .regex(/^\d+$/, '--step-timeout takes a whole number of seconds')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 86_400, '--step-timeout must be between 1 and 86400 seconds')
    .optional(),
});

function describeEvent(e: ExecutionEvent, err: NodeJS.WritableStream): void {
  switch (e.type) {
    case 'step-started':
      err.write(`[${e.step.id}] ${e.step.title}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}...\n`);
      break;
    case 'step-finished':
      err.write(`[${e.step.id}] ${e.result.outcome.toUpperCase()}: ${e.result.message}\n`);
      break;
    case 'manual-needed':
      err.write(`[${e.step.id}] ${e.step.title}: this must be done by hand:\n`);
      for (const m of e.step.manualSteps) err.write(`    - ${m.text}\n`);
      break;
    case 'step-output':
      break;
  }
}

function summary(o: RemovalOutcome): string {
  const lines: string[] = [''];
  const verdict =
    o.exitCode === 0
      ? o.plan.steps.length === 0
        ? 'Nothing to remove: no banned software is installed (verified by a rescan).'
        : 'Removed and verified.'
      : o.exitCode === 20
        ? 'Removal started; restart the machine, then run "divest remove" again to finish and verify.'
        : 'Removal did NOT complete.';
  lines.push(verdict);
  for (const r of o.execution.results)
    lines.push(
      `  ${r.stepId} ${r.outcome.padEnd(15)} ${r.title}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}`,
    );
  for (const id of o.execution.remaining) lines.push(`  ${id} not run`);
  if (o.stillInstalled.length)
    lines.push(`Still installed after the rescan: ${o.stillInstalled.join(', ')}.`);
  if (o.leftovers.length) {
    lines.push('', `Leftovers (${o.leftovers.length}) and how to clear them:`);
    for (const l of o.leftovers) lines.push(`  - [${l.kind}] ${l.location}`, `      ${l.howToClear}`);
  } else lines.push('No leftovers found by the rescan.');
  lines.push(
    '',
    `Replacement: ${o.replacement.product}: ${o.replacement.state.toUpperCase()}. ${o.replacement.detail}`,
  );
  lines.push(
    '',
    'Export the signed receipt with "divest receipt export --out receipt.json --html receipt.html".',
  );
  return `${lines.join('\n')}\n`;
}

/** Runs `divest remove`. */
export async function runRemove(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
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
      'step-timeout': { type: 'string' },
    },
    Options,
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options);
  checkOnly('remove', options.only, ws.catalog.catalog);
  const planOptions = {
    only: options.only,
    ...(options['step-timeout'] ? { timeoutMs: options['step-timeout'] * 1000 } : {}),
  };

  // A password given on stdin is read before anything else touches stdin.
  let stdinPassword: string | undefined;
  if (options['password-stdin']) {
    stdinPassword = (await readStdin()).replace(/\r?\n$/, '');
    if (!stdinPassword)
      throw new UsageError('remove: --password-stdin was given but standard input was empty');
  }

  if (options['dry-run']) {
    const prep = await prepareRemoval(ws, planOptions);
    const plan: Plan = prep.plan;
    if (options.json)
      out.write(
        `${JSON.stringify({ schema: 'divest.remove-dry-run/1', resume: prep.kind !== 'new', plan }, null, 2)}\n`,
      );
    else {
      if (prep.kind !== 'new') out.write(`An unfinished plan would be continued (${prep.kind}).\n`);
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
        `${JSON.stringify({ schema: 'divest.remove/1', planId: prep.plan.id, status: 'reboot-pending', message: msg, exitCode: 20 }, null, 2)}\n`,
      );
    else err.write(`${msg}\n`);
    return 20;
  }
  if (prep.kind === 'resume')
    err.write(
      `Continuing the unfinished removal plan ${prep.plan.id}: ${prep.doneSteps} of ${prep.plan.steps.length} steps already done.\n`,
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
    if (!abort.signal.aborted)
      err.write(
        `\ndivest: ${sig}: stopping after the current step; the running uninstaller is left to finish. Run "divest remove" again to continue.\n`,
      );
    else err.write(`\ndivest: still waiting for the current uninstaller to finish.\n`);
    abort.abort();
  };
  const onInt = (): void => stop('interrupted');
  const onTerm = (): void => stop('terminated');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const outcome = await runRemoval(ws, plan, {
    signal: abort.signal,
    credentials,
    manual,
    onEvent: options.json ? undefined : (e) => describeEvent(e, err),
    ...(prep.kind === 'resume' && prep.rebooted ? { rebootCompleted: true } : {}),
  }).finally(() => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  });
  if (options.json)
    out.write(
      `${JSON.stringify(
        {
          schema: 'divest.remove/1',
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
  else out.write(summary(outcome));
  return outcome.exitCode;
}
