/**
 * The tool table: one module per uninstaller, each with every part the planner and the executor
 * call, and the parts that differ between tools (an attempt's argv and secrets, the text of a
 * failure). Steps come from the real planner over the fixture machine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepTool, type PlanStep } from '../../../core/model/plan';
import { buildPlan } from '../../../core/remove/plan';
import { TOOLS, toolFor } from '../../../core/remove/tools';
import type { Failure } from '../../../core/remove/tools/tool';
import { catalog, CODE, factsOf, WIN_ENV, WIN_LOG_DIR, windowsScan } from '../../fixtures/removal';

const failed: Failure = {
  kind: 'failed',
  present: [],
  maybeNeedsCredentials: false,
  credentialsGiven: false,
};

function kesStep(logDir = WIN_LOG_DIR): PlanStep {
  const scan = windowsScan();
  const plan = buildPlan({
    scan,
    catalog: catalog.catalog,
    facts: factsOf(scan),
    only: ['kaspersky-endpoint-security-windows'],
    logDir,
    env: WIN_ENV,
  });
  return plan.steps[0]!;
}

it('every tool a step can name has its module, under its own name', () => {
  expect(Object.keys(TOOLS).sort()).toEqual([...StepTool.options].sort());
  for (const name of StepTool.options) {
    const tool = toolFor(name);
    expect(tool.name).toBe(name);
    expect(tool.defaultTimeoutMs).toBeGreaterThan(0);
    for (const part of ['plan', 'classify', 'presence', 'prepareAttempt', 'cleanUpText'] as const)
      expect(typeof tool[part]).toBe('function');
  }
});

describe('msiexec.prepareAttempt', () => {
  it('without a password: the planned argv, no secrets, and a preparation that creates its log folder', () => {
    // The folder itself is created for real where the path is one: node.exe under Wine
    // (test/windows/flow.test.ts); here a Windows path must not become a folder (next tests).
    const step = kesStep();
    const a = toolFor('msiexec').prepareAttempt(step, undefined);
    expect(a).toMatchObject({ argv: step.argv, secrets: [], outputSecrets: [] });
    expect(typeof a.prepare).toBe('function');
  });

  it('with a password: /l*v and its file dropped, the credentials in their place, the password secret', () => {
    const step = kesStep();
    const a = toolFor('msiexec').prepareAttempt(step, { login: 'KLAdmin', password: 'Pa55' });
    expect(a.argv).toEqual([...step.argv.slice(0, -2), 'KLLOGIN=KLAdmin', 'KLPASSWD=Pa55']);
    expect(a.prepare).toBeUndefined();
    expect(a.secrets).toEqual(['KLPASSWD=Pa55']);
    expect(a.outputSecrets).toEqual(expect.arrayContaining(['KLPASSWD=Pa55', 'Pa55']));
  });

  it("a Windows log folder is never created on a machine where it is not a path (no 'C:\\...' here)", () => {
    const cwdLeak = path.resolve(WIN_LOG_DIR);
    toolFor('msiexec').prepareAttempt(kesStep(), undefined).prepare?.();
    expect(existsSync(cwdLeak)).toBe(false);
  });
});

describe('cleanUpText: what a failed step tells the user to do', () => {
  const step = (tool: PlanStep['tool'], argv: string[], extra: Partial<PlanStep> = {}): PlanStep => ({
    ...kesStep(),
    tool,
    argv,
    credentials: undefined,
    ...extra,
  });

  it('msiexec: the password hint only when a protected product refused without one', () => {
    const s = kesStep();
    const msi = toolFor('msiexec');
    expect(msi.cleanUpText(s, { ...failed, maybeNeedsCredentials: true })).toMatch(/--password-stdin/);
    expect(
      msi.cleanUpText(s, { ...failed, maybeNeedsCredentials: true, credentialsGiven: true }),
    ).toBeUndefined();
    expect(msi.cleanUpText(s, failed)).toBeUndefined();
    expect(msi.cleanUpText(s, { ...failed, kind: 'orphaned', present: [CODE.kes] })).toMatch(
      /^But its entry \{7EC66A9F.* is still in the registry: an orphaned entry/,
    );
  });

  it('dpkg: the exact command to finish by hand, and dpkg --audit in the same root', () => {
    const s = step('dpkg', [
      '/usr/bin/dpkg',
      '--root=/srv/img',
      '--log=/srv/img/var/log/dpkg.log',
      '--purge',
      'kesl',
    ]);
    expect(toolFor('dpkg').cleanUpText(s, failed)).toBe(
      'To finish by hand once the cause is fixed, run "/usr/bin/dpkg --root=/srv/img --log=/srv/img/var/log/dpkg.log --purge kesl" as root; "dpkg --root=/srv/img --audit" lists packages a failed removal left half-done.',
    );
  });

  it('rpm: the command to finish by hand; for a package rpm says is gone but still lists, how to look', () => {
    const s = step('rpm', ['rpm', '--root', '/srv/My Image', '--dbpath', '/var/lib/rpm', '-e', 'kesl']);
    expect(toolFor('rpm').cleanUpText(s, failed)).toBe(
      `To finish by hand once the cause is fixed, run "rpm --root '/srv/My Image' --dbpath /var/lib/rpm -e kesl" as root.`,
    );
    expect(toolFor('rpm').cleanUpText(s, { ...failed, kind: 'orphaned', present: ['kesl'] })).toContain(
      '-q kesl',
    );
  });

  it('a manual step has nothing to add', () => {
    expect(toolFor('manual').cleanUpText(kesStep(), failed)).toBeUndefined();
  });
});
