/**
 * `divest plan`: scan and print the ordered removal plan, with the warnings to read first.
 */
import * as z from 'zod';
import type { Plan } from '../core/model/plan';
import { scanExitCode } from '../core/scan/scan';
import { planAndRecord } from '../core/usecases/plan';
import { COMMON_FLAGS, CommonOptions, OnlyOption, checkOnly, parseCommand } from './args';
import { makeWorkspace } from './context';
import { unfinishedNotice } from './status-command';
import {
  JURISDICTION_FLAG,
  JURISDICTION_HELP,
  JurisdictionOption,
  coverageLines,
  jurisdictionChoice,
} from './jurisdiction-option';

const HELP = `divest plan [--json] [--only PRODUCT_ID]... [--jurisdiction CODES] [--run-image-scripts-on-this-machine] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]

Scans, then prints the ordered removal plan: each step's exact command, its preflight checks and
the warnings to read before starting. Changes nothing on the machine.
${JURISDICTION_HELP}
Exit codes: as "divest scan" (0 nothing banned, 10 banned software found, 1 failed, 2 usage).
`;

/** The plan for people. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  if (plan.steps.length === 0) lines.push('Nothing to remove: no banned software is installed.');
  else {
    lines.push(
      `Removal plan ${plan.id} (${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}):`,
      '',
    );
    lines.push('Before you start:');
    for (const w of plan.warnings) lines.push(`  ! ${w.text}`);
    for (const s of plan.steps) {
      lines.push('', `${s.id}. ${s.title}`);
      if (s.argv.length)
        lines.push(`    runs: ${s.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
      if (s.credentials)
        lines.push(
          '    if password-protected: the uninstall password is asked for at run time (never stored)',
        );
      for (const p of s.preflight) lines.push(`    checks first: ${p}`);
      for (const w of s.warnings) lines.push(`    ! ${w.text}${w.unconfirmed ? ' (UNCONFIRMED)' : ''}`);
      for (const n of s.notes) lines.push(`    note: ${n}`);
      if (s.method === 'manual' || s.manualSteps.length) {
        lines.push(s.method === 'manual' ? '    by hand:' : '    if it fails, by hand:');
        for (const m of s.manualSteps)
          lines.push(`      - ${m.text}${m.unconfirmed ? ' (UNCONFIRMED)' : ''}`);
      }
    }
  }
  if (plan.skipped.length) {
    lines.push('', 'Not in the plan:');
    for (const s of plan.skipped) lines.push(`  - ${s.name}: ${s.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `divest plan`. */
export async function runPlan(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const { options, help } = parseCommand(
    'plan',
    argv,
    {
      ...COMMON_FLAGS,
      ...JURISDICTION_FLAG,
      only: { type: 'string', multiple: true },
      'run-image-scripts-on-this-machine': { type: 'boolean' },
    },
    CommonOptions.extend({
      ...JurisdictionOption,
      only: OnlyOption,
      'run-image-scripts-on-this-machine': z.boolean().default(false),
    }),
    { min: 0, max: 0, names: '' },
  );
  if (help) {
    out.write(HELP);
    return 0;
  }
  const ws = makeWorkspace(options, err);
  checkOnly('plan', options.only, ws.catalog.catalog);
  const jurisdictions = jurisdictionChoice(options.jurisdiction, ws.dataDir, ws.catalog);
  if (!options.json) await unfinishedNotice(ws, err);
  const { scan, plan } = await planAndRecord(ws, {
    only: options.only,
    allowImageScriptsOnHost: options['run-image-scripts-on-this-machine'],
  });
  if (options.json) out.write(`${JSON.stringify(plan, null, 2)}\n`);
  else {
    const coverage = coverageLines(scan.findings, ws.catalog, jurisdictions);
    out.write(`${formatPlan(plan)}${coverage.length ? `\n${coverage.join('\n')}\n` : ''}`);
  }
  return scanExitCode(scan);
}
