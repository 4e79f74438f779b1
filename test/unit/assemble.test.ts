/**
 * What a receipt says, read back from a real journal: the journal is written the way a removal
 * session writes it (scan, plan, the real executor against a scripted Windows machine, rescan,
 * leftovers, replacement check), then assembled and built into a `divest.receipt/1`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalPath, openJournal, type Journal } from '../../core/journal/journal';
import { assembleReceipt } from '../../core/receipt/assemble';
import type { ScanPurpose } from '../../core/model/events';
import { buildReceipt } from '../../core/receipt/sign';
import { executePlan } from '../../core/remove/execute';
import { buildPlan } from '../../core/remove/plan';
import { type Plan } from '../../core/model/plan';
import type { ScanResult } from '../../core/model/scan';
import { leftoversOf } from '../../core/verify/leftovers';
import { type Leftover } from '../../core/model/verify';
import { ReplacementStatus } from '../../core/model/verify';
import {
  catalog,
  CODE,
  factsOf,
  passwordProtected,
  ScriptedWindows,
  WIN_ENV,
  WIN_LOG_DIR,
  windowsInventory,
  windowsScan,
} from '../fixtures/removal';

const KES = 'kaspersky-endpoint-security-windows';
const KTS = 'kaspersky-total-security';
const NAGENT = 'kaspersky-network-agent';
const PASSWORD = 'S3lf-Def3nce!';

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'divest-assemble-'));
  journal = openJournal(journalPath(dir));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const before = windowsScan();
const planFor = (scan: ScanResult, only: string[]): Plan =>
  buildPlan({
    scan,
    catalog: catalog.catalog,
    facts: factsOf(scan),
    only,
    logDir: WIN_LOG_DIR,
    env: WIN_ENV,
  });

/** After removal: the uninstall entries and services are gone; the driver and vendor keys remain. */
const afterScan = windowsScan(
  windowsInventory().filter((i) => i.kind === 'driver' || i.kind === 'vendor-key'),
);

const replacement = ReplacementStatus.parse({
  os: 'windows',
  product: 'Microsoft Defender Antivirus',
  state: 'active',
  detail: 'Microsoft Defender Antivirus is on, with real-time protection.',
  evidence: ['AMRunningMode: Normal', 'AntivirusEnabled: true', 'RealTimeProtectionEnabled: true'],
  checkedAt: '2025-03-03T09:30:00.000Z',
});

/** A leftover as a receipt carries it (kind, location, detail, howToClear). */
const receiptLeftover = (l: Leftover) => ({
  kind: l.kind,
  location: l.location,
  detail: l.detail,
  howToClear: l.howToClear,
});

async function recordScan(purpose: ScanPurpose, result: ScanResult): Promise<void> {
  await journal.append('scan.started', { purpose, hostRoot: null });
  await journal.append('scan.finished', { purpose, result });
}

/** A removal session as runRemoval records it; the first attempt fails on KES's password. */
async function removalSession(plan: Plan): Promise<ScriptedWindows> {
  await recordScan('plan', before);
  await journal.append('plan.made', { planId: plan.id, plan });
  const m = new ScriptedWindows([CODE.kes, CODE.kts, CODE.nagent]).on(
    CODE.kes,
    passwordProtected((argv) => argv.includes(`KLPASSWD=${PASSWORD}`)),
  );
  const exec = { plan, runner: m, journal, presence: { runner: m, hostRoot: '/', env: WIN_ENV } };
  expect((await executePlan(exec)).status).toBe('failed');
  const second = await executePlan({
    ...exec,
    credentials: async () => ({ login: 'KLAdmin', password: PASSWORD }),
  });
  expect(second.status).toBe('completed');
  await recordScan('verify', afterScan);
  await journal.append('verify.finished', {
    planId: plan.id,
    findings: afterScan.findings,
    leftovers: leftoversOf(afterScan),
    stillInstalled: [],
  });
  await journal.append('replacement.checked', { planId: plan.id, replacement });
  return m;
}

async function assemble(now = '2025-03-03T10:00:00.000Z') {
  const { events, report } = await journal.read();
  expect(report.intact).toBe(true);
  return {
    report,
    input: assembleReceipt({
      events,
      journal: report,
      catalog: { catalog: catalog.catalog, sha256: catalog.sha256 },
      appVersion: '0.1.0',
      operator: { name: 'Dana Whitfield', organisation: 'Example County IT' },
      account: { user: 'dana', admin: true },
      rebootedSince: () => false,
      now: () => new Date(now),
      timeZone: 'America/New_York',
    }),
  };
}

describe('removal receipt', () => {
  it('holds the scan before, every step in plan order (its last result), the rescan, leftovers, replacement and verdict', async () => {
    const plan = planFor(before, [KES, KTS, NAGENT]);
    await removalSession(plan);
    const { input, report } = await assemble();

    expect(input.kind).toBe('removal');
    expect(input.host).toEqual(before.host);
    expect(input.findingsBefore).toEqual(before.findings);
    expect(input.actions.map((a) => [a.stepId, a.productId, a.method, a.outcome, a.exitCode])).toEqual([
      ['s1', KES, 'msi', 'removed', 0],
      ['s2', KTS, 'msi', 'removed', 0],
      ['s3', NAGENT, 'msi', 'removed', 0],
    ]);
    const kes = input.actions[0]!;
    expect(kes.argv).toContain('KLPASSWD=***');
    expect(kes.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(kes.title).toBe(plan.steps[0]!.title);
    expect(input.after.findings).toEqual(afterScan.findings);
    expect(input.after.scanAt).toBe(afterScan.startedAt);
    expect(input.after.leftovers).toMatchObject(leftoversOf(afterScan).map(receiptLeftover));
    expect(input.after.leftovers.some((l) => l.kind === 'driver')).toBe(true);
    expect(input.replacement).toEqual(replacement);
    expect(input.plan).toEqual({ id: plan.id, status: 'completed', steps: 3 });
    // The drivers are still registered until the restart: not "removed and verified" yet.
    expect(input.verdict.state).toBe('removal-incomplete');
    expect(input.verdict.headline).toMatch(
      /^Removal incomplete: the removal ran, but the rescan still finds banned software; still installed: /,
    );
    expect(input.verdict.details.join(' ')).toMatch(/Restart the machine/);
    expect(input.operator).toEqual({
      name: 'Dana Whitfield',
      organisation: 'Example County IT',
      account: { user: 'dana', admin: true },
    });
    expect(input.issuedAtLocal.timeZone).toBe('America/New_York');
    expect(input.journal).toEqual({ length: report.length, headHash: report.head!.hash, intact: true });
    expect(input.catalog).toEqual({ version: catalog.catalog.version, sha256: catalog.sha256 });
    expect(input.app).toEqual({ name: 'divest', version: '0.1.0' });
    const ids = new Set(before.findings.flatMap((f) => f.directives));
    expect(input.directives.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(input)).not.toContain(PASSWORD);

    // What `divest receipt export` does next: the assembled input must make a valid receipt.
    const receipt = buildReceipt(input);
    expect(receipt).toMatchObject({ schema: 'divest.receipt/2', kind: 'removal' });
    expect(receipt.actions).toHaveLength(3);
  });

  it('a plan that failed: no receipt until a scan after it; then only the steps that ran, and the verdict says so', async () => {
    const plan = planFor(before, [KES, KTS, NAGENT]);
    await recordScan('plan', before);
    const m = new ScriptedWindows([CODE.kes, CODE.kts, CODE.nagent]).on(
      CODE.kes,
      passwordProtected(() => false),
    );
    await executePlan({ plan, runner: m, journal, presence: { runner: m, hostRoot: '/', env: WIN_ENV } });
    // The old receipt said "after: nothing found" here; there is no "after" without a scan after it.
    await expect(assemble()).rejects.toThrow(/no scan made after the removal/);
    await recordScan('verify', { ...before, startedAt: '2025-03-03T09:40:00.000Z' });
    const { input } = await assemble();
    expect(input.actions.map((a) => [a.stepId, a.outcome, a.exitCode])).toEqual([['s1', 'failed', 1603]]);
    expect(input.after.findings).toEqual(before.findings);
    expect(input.replacement).toBeNull();
    expect(input.plan?.status).toBe('failed');
    expect(input.verdict.state).toBe('removal-incomplete');
    expect(input.verdict.headline).toMatch(
      /^Removal incomplete: step 1 of 3 \(.+\) failed; still installed: /,
    );
    expect(input.verdict.plan?.needsCredential).toBe(true);
    expect(input.verdict.fleetStatus).toBe('needs-credential');
  });

  it('a plan interrupted in its first step: the verdict names the step, whatever the rescan shows', async () => {
    const plan = planFor(before, [KES, KTS]);
    await recordScan('plan', before);
    await journal.append('plan.started', { planId: plan.id, plan });
    await journal.append('step.started', {
      planId: plan.id,
      stepId: 's1',
      argv: plan.steps[0]!.argv,
      attempt: 1,
    });
    await recordScan('receipt', { ...before, startedAt: '2025-03-03T09:45:00.000Z' });
    const { input } = await assemble();
    expect(input.plan).toEqual({ id: plan.id, status: 'interrupted', steps: 2 });
    expect(input.actions).toEqual([]);
    expect(input.verdict.state).toBe('removal-incomplete');
    expect(input.verdict.plan?.stoppedAt).toMatchObject({
      stepId: 's1',
      position: 1,
      of: 2,
      how: 'interrupted',
    });
    expect(input.verdict.headline).toMatch(/^Removal incomplete: interrupted at step 1 of 2 /);
    expect(buildReceipt(input).verdict.state).toBe('removal-incomplete');
  });

  it('the latest session wins, with the scan taken for it', async () => {
    await removalSession(planFor(before, [KES, KTS, NAGENT]));
    // Later: the leftovers' vendor keys are found again and a new (empty-handed) plan is run.
    const plan2 = planFor(afterScan, []);
    await recordScan('plan', afterScan);
    const m = new ScriptedWindows([]);
    await executePlan({
      plan: plan2,
      runner: m,
      journal,
      presence: { runner: m, hostRoot: '/', env: WIN_ENV },
    });
    await expect(assemble()).rejects.toMatchObject({ code: 'nothing-to-receipt' });
    await recordScan('verify', { ...afterScan, startedAt: '2025-03-03T09:50:00.000Z' });
    const { input } = await assemble();
    expect(input.findingsBefore).toEqual(afterScan.findings);
    // Only the new plan's steps (guided ones, not done yet), none of the first plan's msiexec runs.
    expect(plan2.steps.length).toBeGreaterThan(0);
    expect(input.actions.map((a) => [a.stepId, a.method, a.outcome])).toEqual(
      plan2.steps.map((s) => [s.id, 'manual', 'skipped']),
    );
    // The replacement check was made before this scan: it is not the state after.
    expect(input.replacement).toBeNull();
    expect(input.verdict.state).toBe('removal-incomplete');
  });
});

describe('scan receipt', () => {
  it('a scan only: what was found, its leftovers, and the replacement checked after it', async () => {
    await recordScan('receipt', before);
    await journal.append('replacement.checked', { planId: null, replacement });
    const { input } = await assemble();
    expect(input.kind).toBe('scan');
    expect(input.plan).toBeNull();
    expect(input.host).toEqual(before.host);
    expect(input.actions).toEqual([]);
    expect(input.findingsBefore).toEqual(before.findings);
    expect(input.after.findings).toEqual(before.findings);
    expect(input.after.leftovers).toMatchObject(leftoversOf(before).map(receiptLeftover));
    expect(input.after.leftovers.length).toBeGreaterThan(0);
    expect(input.replacement).toEqual(replacement);
    expect(input.verdict.state).toBe('banned-present');
    expect(buildReceipt(input).kind).toBe('scan');
  });

  it('a replacement check journaled after the scan is used; one from before it is not', async () => {
    await journal.append('replacement.checked', {
      planId: null,
      replacement: { ...replacement, state: 'inactive', checkedAt: '2025-03-03T08:00:00.000Z' },
    });
    await recordScan('scan', before);
    expect((await assemble()).input.replacement).toBeNull();
    const later = { ...replacement, checkedAt: '2025-03-03T11:00:00.000Z' };
    await journal.append('replacement.checked', { planId: null, replacement: later });
    expect((await assemble()).input.replacement).toEqual(later);
  });

  it('nothing found: every directive of the catalog is named (checked against all of them)', async () => {
    const clean = windowsScan([]);
    await recordScan('scan', clean);
    const { input } = await assemble();
    expect(input.findingsBefore).toEqual([]);
    expect(input.after).toEqual({ scanAt: clean.startedAt, findings: [], leftovers: [] });
    expect(input.directives.map((d) => d.id)).toEqual(catalog.catalog.directives.map((d) => d.id));
    expect(input.verdict.state).toBe('unprotected');
  });
});

describe('nothing to put in a receipt', () => {
  it('an empty journal', async () => {
    await expect(assemble()).rejects.toMatchObject({ code: 'nothing-to-receipt' });
    await expect(assemble()).rejects.toThrow(/scan first \(divest scan\)/);
  });

  it('a plan with no scan before it', async () => {
    const plan = planFor(before, [KTS]);
    await journal.append('plan.started', { planId: plan.id, plan });
    await expect(assemble()).rejects.toMatchObject({ code: 'nothing-to-receipt' });
  });
});
