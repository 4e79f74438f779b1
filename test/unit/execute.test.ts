/**
 * Carrying out a removal plan: a real journal on a temporary file, a plan built by the real planner
 * from real-format registry exports, and a Windows machine played by a scripted runner (reg.exe
 * answers from its Uninstall keys, msiexec exits with the codes of research products.md §3.3). On
 * Linux, the real dpkg removes real packages from a temporary root.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeCommandRunner } from '../../core/host/runner';
import { unfinishedPlan, planProgress } from '../../core/journal/history';
import { journalPath, openJournal, type Journal, type Recorded } from '../../core/journal/journal';
import {
  credentialArgs,
  credentialSecrets,
  executePlan,
  rebootedSince,
  type ExecuteOptions,
  type ExecutionEvent,
} from '../../core/remove/execute';
import { gatherFacts } from '../../core/host/facts';
import { buildPlan } from '../../core/remove/plan';
import { type Plan, type PlanStep } from '../../core/model/plan';
import { scanHost } from '../../core/scan/scan';
import {
  buildDeb,
  dpkgQuery,
  installDebs,
  makeDpkgRoot,
  processesInRoot,
  skipReason,
  tempDir,
  type Bed,
} from '../beds/linux';
import { STOPPED_BY_OPERATOR } from '../../core/remove/execute';
import { stepClock, type StepTick } from '../../core/usecases/removal-progress';
import {
  catalog,
  CODE,
  factsOf,
  msiExits,
  passwordProtected,
  REG,
  ScriptedWindows,
  WIN_ENV,
  WIN_LOG_DIR,
  windowsScan,
} from '../fixtures/removal';

const KES = 'kaspersky-endpoint-security-windows';
const KTS = 'kaspersky-total-security';
const KPM = 'kaspersky-password-manager';
const NAGENT = 'kaspersky-network-agent';

const scan = windowsScan();
const planOf = (only: string[]): Plan =>
  buildPlan({
    scan,
    catalog: catalog.catalog,
    facts: factsOf(scan),
    only,
    logDir: WIN_LOG_DIR,
    env: WIN_ENV,
    now: () => new Date('2025-03-03T09:05:00Z'),
  });
/** s1 KES, s2 Total Security, s3 Network Agent. */
const threeSteps = planOf([KES, KTS, NAGENT]);

let dir: string;
let file: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'divest-execute-'));
  file = journalPath(path.join(dir, 'data'));
  journal = openJournal(file);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function machine(codes: readonly string[] = [CODE.kes, CODE.kts, CODE.nagent]): ScriptedWindows {
  return new ScriptedWindows(codes);
}

function run(m: ScriptedWindows, extra: Partial<ExecuteOptions> = {}, plan: Plan = threeSteps) {
  return executePlan({
    plan,
    runner: m,
    journal,
    presence: { runner: m, hostRoot: '/', env: WIN_ENV },
    retryDelaysMs: [0, 0, 0],
    ...extra,
  });
}

async function events(): Promise<Recorded[]> {
  const { events: all, report } = await journal.read();
  expect(report.intact).toBe(true);
  return all;
}

const types = (all: readonly Recorded[]) => all.map((e) => e.type);
const dataOf = (e: Recorded) => e.data as Record<string, unknown>;

describe('a plan that goes well', () => {
  it('runs every step in order and journals plan.started, each step, plan.finished', async () => {
    const m = machine();
    const seen: string[] = [];
    const rep = await run(m, {
      onEvent: (e: ExecutionEvent) => {
        if (e.type === 'step-started') seen.push(`start ${e.step.id}#${e.attempt}`);
        if (e.type === 'step-finished') seen.push(`end ${e.step.id} ${e.result.outcome}`);
      },
    });
    expect(rep).toMatchObject({ planId: threeSteps.id, status: 'completed', remaining: [], resumed: false });
    expect(rep.results.map((r) => [r.stepId, r.productId, r.outcome, r.exitCode])).toEqual([
      ['s1', KES, 'removed', 0],
      ['s2', KTS, 'removed', 0],
      ['s3', NAGENT, 'removed', 0],
    ]);
    expect(seen).toEqual([
      'start s1#1',
      'end s1 removed',
      'start s2#1',
      'end s2 removed',
      'start s3#1',
      'end s3 removed',
    ]);
    // Exactly the planned commands, in the planned order; nothing else was started but reg queries.
    expect(m.msiRuns()).toEqual(threeSteps.steps.map((s) => s.argv));
    expect(m.received.every((r) => r.argv[0] === REG || r.argv[0] === threeSteps.steps[0]!.argv[0])).toBe(
      true,
    );
    expect(m.registered.size).toBe(0);

    const all = await events();
    expect(types(all)).toEqual([
      'plan.started',
      'step.started',
      'step.finished',
      'step.started',
      'step.finished',
      'step.started',
      'step.finished',
      'plan.finished',
    ]);
    expect(dataOf(all[0]!)).toEqual({ planId: threeSteps.id, plan: threeSteps });
    expect(dataOf(all[1]!)).toEqual({
      planId: threeSteps.id,
      stepId: 's1',
      argv: threeSteps.steps[0]!.argv,
      attempt: 1,
    });
    expect(dataOf(all[2]!)).toEqual({ planId: threeSteps.id, stepId: 's1', result: rep.results[0] });
    expect(dataOf(all[7]!)).toEqual({ planId: threeSteps.id, status: 'completed', remaining: [] });
    const r1 = rep.results[0]!;
    expect(r1).toMatchObject({
      method: 'msi',
      argv: threeSteps.steps[0]!.argv,
      durationMs: 1250,
      message: 'msiexec finished successfully (0).',
    });
    expect(r1.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(r1.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r1.startedAt));
    expect(planProgress(all, threeSteps.id).get('s3')).toEqual(rep.results[2]);
    expect(unfinishedPlan(all)).toBeUndefined();
  });

  it('checks both registry views and the per-user hive before and after each msiexec run', async () => {
    const m = machine([CODE.kes]);
    await run(m, {}, planOf([KES]));
    const queries = m.received.filter((r) => r.argv[0] === REG).map((r) => r.argv.slice(1));
    const key = `HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${CODE.kes}`;
    const user = `HKCU\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${CODE.kes}`;
    const once = [
      ['query', key, '/reg:64'],
      ['query', key, '/reg:32'],
      ['query', user],
    ];
    expect(queries).toEqual([...once, ...once]);
  });
});

describe('what the exit code and the postflight say', () => {
  it('exit 0 but the product is still registered: failed; the plan stops and lists the rest', async () => {
    const m = machine().on(CODE.kes, msiExits([0], []));
    const rep = await run(m);
    expect(rep.status).toBe('failed');
    expect(rep.results).toHaveLength(1);
    expect(rep.results[0]).toMatchObject({ stepId: 's1', outcome: 'failed', exitCode: 0 });
    expect(rep.results[0]!.message).toMatch(
      /\(0\)\. But \{7EC66A9F-.*\} is still registered afterwards: the removal did not happen\./,
    );
    expect(rep.remaining).toEqual(['s2', 's3']);
    expect(m.msiRuns(CODE.kts)).toEqual([]);
    expect(m.msiRuns(CODE.nagent)).toEqual([]);
    const all = await events();
    expect(dataOf(all.at(-1)!)).toEqual({ planId: threeSteps.id, status: 'failed', remaining: ['s2', 's3'] });
  });

  it('1605 (already removed by someone else) is already-absent and the plan goes on', async () => {
    const m = machine().on(CODE.kes, (call, mm) => {
      mm.registered.delete(call.code);
      return 1605;
    });
    const rep = await run(m);
    expect(rep.results[0]).toMatchObject({ outcome: 'already-absent', exitCode: 1605 });
    expect(rep.status).toBe('completed');
  });

  it('a product already gone before its step: nothing is run (attempt 0)', async () => {
    const m = machine([CODE.kes, CODE.nagent]);
    const rep = await run(m);
    expect(rep.results[1]).toMatchObject({ stepId: 's2', outcome: 'already-absent', exitCode: null });
    expect(m.msiRuns(CODE.kts)).toEqual([]);
    const started = (await events()).filter((e) => e.type === 'step.started' && dataOf(e).stepId === 's2');
    expect(started.map((e) => dataOf(e).attempt)).toEqual([0]);
  });

  it('3010: reboot-required, the plan is reboot-pending; after the restart it completes without re-running', async () => {
    const m = machine().on(CODE.kts, msiExits([3010]));
    const rep = await run(m);
    expect(rep.results.map((r) => r.outcome)).toEqual(['removed', 'reboot-required', 'removed']);
    expect(rep.results[1]!.message).toBe(
      'msiexec removed the product; a restart is required to finish (3010).',
    );
    expect(rep.status).toBe('reboot-pending');

    const paused = unfinishedPlan(await events());
    expect(paused?.plan).toEqual(threeSteps);
    const finishedAt = (await events()).at(-1)!.at;
    expect(paused?.rebootPendingSince).toBe(finishedAt);
    const pausedAt = Date.parse(finishedAt);
    expect(rebootedSince(finishedAt, 60, new Date(pausedAt + 30_000))).toBe(false);
    expect(rebootedSince(finishedAt, 60, new Date(pausedAt + 3_600_000))).toBe(true);

    // Run again before restarting: still waiting, nothing re-run.
    const again = await run(m);
    expect(again).toMatchObject({ status: 'reboot-pending', resumed: true });
    // After the restart: completed, and msiexec ran once per product in all.
    const after = await run(m, { rebootCompleted: true });
    expect(after).toMatchObject({ status: 'completed', resumed: true, remaining: [] });
    expect(after.results).toEqual(rep.results);
    expect(m.msiRuns()).toHaveLength(3);
    const all = await events();
    expect(types(all).filter((t) => t.startsWith('plan.'))).toEqual([
      'plan.started',
      'plan.finished',
      'plan.resumed',
      'plan.finished',
      'plan.resumed',
      'plan.finished',
    ]);
    expect(dataOf(all.filter((e) => e.type === 'plan.resumed').at(-1)!)).toEqual({
      planId: threeSteps.id,
      done: ['s1', 's2', 's3'],
    });
    expect(unfinishedPlan(all)).toBeUndefined();
  });

  it('3010 with the entry still there until the restart: still reboot-required, and says so', async () => {
    const m = machine().on(CODE.kts, msiExits([3010], []));
    const rep = await run(m);
    expect(rep.results[1]).toMatchObject({ outcome: 'reboot-required' });
    expect(rep.results[1]!.message).toMatch(/\(3010\)\. It is still registered until the restart\.$/);
    expect(rep.status).toBe('reboot-pending');
  });

  it('1618: waits and retries, then succeeds', async () => {
    const m = machine().on(CODE.kes, msiExits([1618, 1618, 0]));
    const rep = await run(m);
    expect(rep.results[0]).toMatchObject({ outcome: 'removed', exitCode: 0 });
    expect(m.msiRuns(CODE.kes)).toHaveLength(3);
    const attempts = (await events())
      .filter((e) => e.type === 'step.started' && dataOf(e).stepId === 's1')
      .map((e) => dataOf(e).attempt);
    expect(attempts).toEqual([1, 2, 3]);
    expect(rep.status).toBe('completed');
  });

  it('1618 that never clears: three retries, then failed', async () => {
    const m = machine().on(CODE.kes, msiExits([1618]));
    const rep = await run(m);
    expect(m.msiRuns(CODE.kes)).toHaveLength(4);
    expect(rep.results[0]).toMatchObject({ outcome: 'failed', exitCode: 1618 });
    expect(rep.status).toBe('failed');
  });
});

describe('password-protected products', () => {
  const PASSWORD = 'Tr0ub4dor&3xK';
  const hexOf = (s: string) =>
    [...s].map((c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0') + '00').join('');

  function expectNoSecret(text: string, secret: string): void {
    for (const s of [secret, hexOf(secret), hexOf(secret).toLowerCase()])
      expect(text.includes(s), s).toBe(false);
  }

  it('encodes the credentials of each scheme (KLUNINSTPASSWD is hex of UTF-16LE)', () => {
    expect(credentialArgs('kes-kllogin-klpasswd', { login: 'KLAdmin', password: PASSWORD })).toEqual([
      'KLLOGIN=KLAdmin',
      `KLPASSWD=${PASSWORD}`,
    ]);
    expect(credentialArgs('kes-kllogin-klpasswd', { password: PASSWORD })).toEqual([`KLPASSWD=${PASSWORD}`]);
    expect(credentialArgs('klnagent-uninstpasswd-hex', { password: 'Ab1' })).toEqual([
      'KLUNINSTPASSWD=410062003100',
    ]);
    expect(credentialArgs('klnagent-uninstpasswd-hex', { password: PASSWORD })).toEqual([
      `KLUNINSTPASSWD=${hexOf(PASSWORD)}`,
    ]);
    expect(credentialSecrets({ password: 'Ab1' })).toEqual(['Ab1', '410062003100', '410062003100']);
  });

  it('KES: 1603, asks once, retries with KLLOGIN/KLPASSWD and without the verbose log; the password is never written or returned', async () => {
    const m = machine().on(
      CODE.kes,
      passwordProtected((argv) => argv.includes('KLLOGIN=KLAdmin') && argv.includes(`KLPASSWD=${PASSWORD}`)),
    );
    const asked: [string, string][] = [];
    const rep = await run(m, {
      credentials: async (step: PlanStep, scheme) => {
        asked.push([step.id, scheme]);
        return { login: 'KLAdmin', password: PASSWORD };
      },
    });
    expect(asked).toEqual([['s1', 'kes-kllogin-klpasswd']]);
    expect(rep.status).toBe('completed');
    const argv = threeSteps.steps[0]!.argv;
    const beforeLog = argv.slice(0, -2);
    // msiexec's verbose log would list KLPASSWD's value: the attempt with a password has none.
    expect(m.msiRuns(CODE.kes)).toEqual([argv, [...beforeLog, 'KLLOGIN=KLAdmin', `KLPASSWD=${PASSWORD}`]]);
    expect(rep.results[0]).toMatchObject({ outcome: 'removed', exitCode: 0 });
    expect(rep.results[0]!.argv).toEqual([...beforeLog, 'KLLOGIN=KLAdmin', 'KLPASSWD=***']);
    // The runner was told what to hide, and what it gave back hides it.
    const retry = m.received.find((r) => r.argv.includes(`KLPASSWD=${PASSWORD}`))!;
    expect(retry.options?.secrets).toEqual(expect.arrayContaining([PASSWORD, hexOf(PASSWORD)]));
    expectNoSecret(JSON.stringify(m.returned), PASSWORD);
    expectNoSecret(JSON.stringify(rep), PASSWORD);
    const raw = readFileSync(file, 'utf8');
    expectNoSecret(raw, PASSWORD);
    expect(raw).toContain('KLPASSWD=***');
    expect(raw).toContain('KLLOGIN=KLAdmin');
  });

  it('Network Agent: KLUNINSTPASSWD=<hex of UTF-16LE>, without the verbose log; neither form is ever written', async () => {
    const pw = 'Agent-Pa55!';
    const m = machine().on(
      CODE.nagent,
      passwordProtected((argv) => argv.includes(`KLUNINSTPASSWD=${hexOf(pw)}`)),
    );
    const rep = await run(m, { credentials: async () => ({ password: pw }) });
    expect(rep.status).toBe('completed');
    const argv = threeSteps.steps[2]!.argv;
    expect(m.msiRuns(CODE.nagent)[1]).toEqual([...argv.slice(0, -2), `KLUNINSTPASSWD=${hexOf(pw)}`]);
    expect(rep.results[2]!.argv).toEqual([...argv.slice(0, -2), 'KLUNINSTPASSWD=***']);
    expectNoSecret(JSON.stringify(m.returned), pw);
    expectNoSecret(JSON.stringify(rep), pw);
    expectNoSecret(readFileSync(file, 'utf8'), pw);
  });

  it.each(['Kaspersky', 'Windows', 'Security'])(
    'a password that also occurs in ordinary text (%s) still works, and is still hidden where it is a password',
    async (pw) => {
      const m = machine().on(
        CODE.kes,
        passwordProtected((argv) => argv.includes(`KLPASSWD=${pw}`)),
      );
      const rep = await run(m, { credentials: async () => ({ login: 'KLAdmin', password: pw }) });
      expect(rep.results[0]).toMatchObject({ outcome: 'removed', exitCode: 0 });
      expect(rep.results[0]!.argv).toContain('KLPASSWD=***');
      expect(rep.results[0]!.argv[0]).toBe(threeSteps.steps[0]!.argv[0]);
      expect(rep.status).toBe('completed');
      const raw = readFileSync(file, 'utf8');
      expect(raw).not.toContain(`KLPASSWD=${pw}`);
      expect(raw).toContain('KLPASSWD=***');
    },
  );

  it('a wrong password: asked once only, then failed (no loop)', async () => {
    const m = machine().on(
      CODE.kes,
      passwordProtected(() => false),
    );
    let asked = 0;
    const rep = await run(m, {
      credentials: async () => {
        asked++;
        return { login: 'KLAdmin', password: 'wrong-password' };
      },
    });
    expect(asked).toBe(1);
    expect(m.msiRuns(CODE.kes)).toHaveLength(2);
    expect(rep.results[0]).toMatchObject({ outcome: 'failed', exitCode: 1603 });
    expect(rep).toMatchObject({ status: 'failed', remaining: ['s2', 's3'] });
    expectNoSecret(readFileSync(file, 'utf8'), 'wrong-password');
  });

  it('no way to ask (or the user declines): failed, with how to give the password', async () => {
    for (const credentials of [undefined, async () => undefined]) {
      const m = machine().on(
        CODE.kes,
        passwordProtected(() => false),
      );
      const rep = await run(m, credentials ? { credentials } : {});
      expect(rep.results[0]!.outcome).toBe('failed');
      expect(rep.results[0]!.message).toMatch(
        /give the uninstall password when asked \(or with --password-stdin\)/,
      );
    }
  });

  it('a product without a credential scheme is never asked for one', async () => {
    const m = machine().on(CODE.kts, msiExits([1603]));
    let asked = 0;
    const rep = await run(m, {
      credentials: async () => {
        asked++;
        return { password: 'x' };
      },
    });
    expect(asked).toBe(0);
    expect(rep.results[1]).toMatchObject({ outcome: 'failed', exitCode: 1603 });
    expect(rep.results[1]!.message).not.toMatch(/--password-stdin/);
  });
});

describe('resuming', () => {
  it('after a crash in step 2: the finished step is not run again, the rest runs', async () => {
    const m = machine();
    m.beforeMsi = (call) => {
      if (call.code === CODE.kts) throw new Error('power cut');
    };
    await expect(run(m)).rejects.toThrow('power cut');
    const crashed = await events();
    expect(types(crashed)).toEqual(['plan.started', 'step.started', 'step.finished', 'step.started']);
    expect(unfinishedPlan(crashed)).toMatchObject({ plan: threeSteps, state: 'interrupted' });

    // A new process: a new journal object on the same file, the machine as the crash left it.
    m.beforeMsi = undefined;
    journal = openJournal(file);
    const rep = await run(m);
    expect(rep).toMatchObject({ status: 'completed', resumed: true, remaining: [] });
    expect(rep.results.map((r) => [r.stepId, r.outcome])).toEqual([
      ['s1', 'removed'],
      ['s2', 'removed'],
      ['s3', 'removed'],
    ]);
    expect(m.msiRuns(CODE.kes)).toHaveLength(1);
    expect(m.msiRuns(CODE.kts)).toHaveLength(2);
    expect(m.msiRuns(CODE.nagent)).toHaveLength(1);
    const all = await events();
    expect(dataOf(all.find((e) => e.type === 'plan.resumed')!)).toEqual({
      planId: threeSteps.id,
      done: ['s1'],
    });
    expect(rep.results[0]).toEqual(dataOf(crashed[2]!).result);
    expect(unfinishedPlan(all)).toBeUndefined();
  });

  it('a cancel stops before the next step (never during one); running again finishes the rest', async () => {
    const m = machine();
    const ctl = new AbortController();
    const rep = await run(m, {
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.type === 'step-finished' && e.step.id === 's1') ctl.abort();
      },
    });
    expect(rep).toMatchObject({ status: 'cancelled', remaining: ['s2', 's3'] });
    expect(rep.results.map((r) => r.stepId)).toEqual(['s1']);
    expect(m.msiRuns()).toHaveLength(1);
    const rest = await run(m);
    expect(rest).toMatchObject({ status: 'completed', resumed: true });
    expect(m.msiRuns(CODE.kes)).toHaveLength(1);
    expect(m.msiRuns()).toHaveLength(3);
  });

  it('rebootedSince compares the boot time with the pause', () => {
    const now = new Date('2025-03-03T12:00:00Z');
    expect(rebootedSince('2025-03-03T10:00:00Z', 3600, now)).toBe(true);
    expect(rebootedSince('2025-03-03T11:30:00Z', 3600, now)).toBe(false);
  });
});

describe('dry run', () => {
  it('runs nothing and writes nothing', async () => {
    const m = machine();
    const rep = await run(m, { dryRun: true });
    expect(rep).toEqual({
      planId: threeSteps.id,
      status: 'incomplete',
      results: [],
      remaining: ['s1', 's2', 's3'],
      resumed: false,
    });
    expect(m.spawnCount).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(m.registered.size).toBe(3);
  });
});

describe('manual steps', () => {
  const withManual = planOf([KES, KPM]);

  it('the plan has the automated step first, then the guided one', () => {
    expect(withManual.steps.map((s) => [s.id, s.method])).toEqual([
      ['s1', 'msi'],
      ['s2', 'manual'],
    ]);
  });

  it('"done": manual-reported, and the plan completes', async () => {
    const asked: string[] = [];
    const needed: string[] = [];
    const rep = await run(
      machine([CODE.kes]),
      {
        manual: async (s) => {
          asked.push(s.id);
          return 'done';
        },
        onEvent: (e) => {
          if (e.type === 'manual-needed') needed.push(e.step.id);
        },
      },
      withManual,
    );
    expect(asked).toEqual(['s2']);
    expect(needed).toEqual(['s2']);
    expect(rep.results[1]).toMatchObject({
      stepId: 's2',
      outcome: 'manual-reported',
      exitCode: null,
      argv: [],
    });
    expect(rep.status).toBe('completed');
    const started = (await events()).find((e) => e.type === 'step.started' && dataOf(e).stepId === 's2')!;
    expect(dataOf(started)).toEqual({ planId: withManual.id, stepId: 's2', argv: [], attempt: 1 });
  });

  it('"failed": the plan fails', async () => {
    const rep = await run(machine([CODE.kes]), { manual: async () => 'failed' }, withManual);
    expect(rep.results[1]!.outcome).toBe('failed');
    expect(rep.status).toBe('failed');
  });

  it('"not now" (or nobody to ask): skipped, the plan is incomplete; later "done" completes it', async () => {
    const m = machine([CODE.kes]);
    const rep = await run(m, { manual: async () => 'not-now' }, withManual);
    expect(rep.results[1]!.outcome).toBe('skipped');
    expect(rep).toMatchObject({ status: 'incomplete', remaining: ['s2'] });
    const silent = await run(m, {}, withManual);
    expect(silent).toMatchObject({ status: 'incomplete', remaining: ['s2'], resumed: true });
    const done = await run(m, { manual: async () => 'done' }, withManual);
    expect(done).toMatchObject({ status: 'completed', remaining: [] });
    expect(m.msiRuns()).toHaveLength(1);
  });
});

const dpkgSkip = skipReason(['dpkg', 'dpkg-deb', 'dpkg-query']);

describe.skipIf(dpkgSkip !== false)('Linux: the real dpkg removes real packages from an image', () => {
  const beds: Bed[] = [];
  afterAll(() => beds.forEach((b) => b.cleanup()));
  const KL = 'AO Kaspersky Lab <support@kaspersky.com>';

  async function image(prerm?: string): Promise<{ root: string; plan: Plan }> {
    const root = makeDpkgRoot({ foreignArchs: [] });
    const debs = tempDir('execute-debs');
    beds.push(root, debs);
    const files = { '/opt/kaspersky/kesl/bin/kesl-control': '#!/bin/sh\nexit 0\n' };
    const kesl = buildDeb(
      {
        name: 'kesl',
        version: '12.1.0-1234',
        maintainer: KL,
        description: 'Kaspersky Endpoint Security for Linux',
        files,
        conffiles: [],
        ...(prerm ? { scripts: { prerm } } : {}),
      },
      debs.root,
    );
    const gui = buildDeb(
      {
        name: 'kesl-gui',
        version: '12.1.0-1234',
        maintainer: KL,
        description: 'Kaspersky Endpoint Security for Linux GUI',
        depends: 'kesl',
        files: { '/opt/kaspersky/kesl/bin/kesl-gui': '#!/bin/sh\nexit 0\n' },
      },
      debs.root,
    );
    installDebs(root.root, [kesl, gui]);
    const scanned = await scanHost({
      catalog,
      runner: new NodeCommandRunner(),
      hostRoot: root.root,
      hostOs: 'linux',
      appVersion: '0.1.0',
    });
    const facts = await gatherFacts({ os: 'linux', root: root.root, live: false }, catalog.catalog);
    // The bed has no shell: its fixture scripts (which touch only "$DPKG_ROOT") run on this machine.
    const plan = buildPlan({
      scan: scanned,
      catalog: catalog.catalog,
      facts,
      logDir: dir,
      allowImageScriptsOnHost: true,
    });
    return { root: root.root, plan };
  }

  it('purges KESL: removed, verified against the status file', async () => {
    const { root, plan } = await image();
    expect(plan.steps.map((s) => s.targets)).toEqual([['kesl-gui', 'kesl']]);
    const runner = new NodeCommandRunner();
    const rep = await executePlan({ plan, runner, journal, presence: { runner, hostRoot: root } });
    expect(rep.status).toBe('completed');
    expect(rep.results[0]).toMatchObject({
      outcome: 'removed',
      exitCode: 0,
      message: 'dpkg removed the packages (0).',
    });
    expect(dpkgQuery(root).filter((r) => r.name.startsWith('kesl'))).toEqual([]);
    expect(existsSync(path.join(root, 'opt/kaspersky/kesl/bin/kesl-control'))).toBe(false);
    expect(readFileSync(path.join(root, 'var/log/dpkg.log'), 'utf8')).toMatch(
      /startup packages purge\n(.*\n)*.* status not-installed kesl:/,
    );
  });

  it('a hung removal script: ticks say step 1 of 1 and how long it is silent; "stop now" kills its process group and journals it', async () => {
    const { root, plan } = await image('sleep 120');
    const runner = new NodeCommandRunner();
    const ticks: StepTick[] = [];
    const clock = stepClock(plan, (t) => ticks.push(t), { intervalMs: 100 });
    const stop = new AbortController();
    const t0 = Date.now();
    const stopWhenSleeping = setInterval(() => {
      // Stop once the script's sleep is running (the uninstaller is really hung).
      if (Date.now() - t0 > 800 && processesInRoot(root).some((p) => p.argv[0]?.endsWith('sleep')))
        stop.abort();
    }, 100);
    const rep = await executePlan({
      plan,
      runner,
      journal,
      presence: { runner, hostRoot: root },
      onEvent: (e) => clock.onEvent(e),
      stopNow: stop.signal,
    }).finally(() => {
      clearInterval(stopWhenSleeping);
      clock.stop();
    });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(rep.status).toBe('failed');
    expect(rep.results[0]).toMatchObject({ outcome: 'failed', exitCode: null });
    expect(rep.results[0]!.message.startsWith(STOPPED_BY_OPERATOR)).toBe(true);
    // Nothing of the uninstaller survives: dpkg, its script and the sleep were one process group.
    expect(processesInRoot(root)).toEqual([]);
    // Journaled as the operator's stop.
    const { events } = await journal.read();
    const finished = events.filter((e) => e.type === 'step.finished');
    expect(finished).toHaveLength(1);
    expect(JSON.stringify(finished[0]!.data)).toContain('Stopped by the operator');
    // The ticks told the truth about time: position, limit, growing elapsed and silence.
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks[0]).toMatchObject({ position: 1, of: 1, timeoutMs: plan.steps[0]!.timeoutMs, note: null });
    expect(ticks.at(-1)!.elapsedMs).toBeGreaterThan(ticks[0]!.elapsedMs);
    expect(ticks.at(-1)!.silentMs).toBeGreaterThan(0);
  }, 60_000);

  it('a failing pre-removal script: failed, and the package is still installed', async () => {
    const { root, plan } = await image('echo "kesl: removal is locked by a policy" >&2\nexit 1');
    const runner = new NodeCommandRunner();
    const rep = await executePlan({ plan, runner, journal, presence: { runner, hostRoot: root } });
    expect(rep.status).toBe('failed');
    expect(rep.results[0]).toMatchObject({ outcome: 'failed', exitCode: 1 });
    expect(rep.results[0]!.message).toMatch(/dpkg failed with exit code 1/);
    // Selected for purge, but its files are still installed.
    expect(dpkgQuery(root).find((r) => r.name === 'kesl')?.status).toMatch(/ ok installed$/);
  });
});
