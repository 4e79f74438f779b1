/**
 * The removal plan: which uninstallers run, in which order, with what the user must know first.
 *
 * Built only from the catalog's recipes filled with values the scan found and validated: an MSI
 * product code must be a `{GUID}` that is the Uninstall key's own name, a package name must obey
 * the package manager's rules and be a package the scan attributed to the product. Nothing read
 * off the machine becomes a command unless it matches the recipe exactly; what cannot be automated
 * safely becomes a guided manual step. The plan is plain data (zod-validated) so it can be stored
 * in the journal, shown in the app and resumed after a reboot.
 *
 * This module decides which findings are acted on, in what order, which tool removes each, and the
 * plan's warnings; what a step of each tool looks like is that tool's (`./tools/*.ts`). Planning
 * reads nothing from the disk: what the machine holds comes in as {@link MachineFacts}
 * (`core/host/facts.ts`), so the same scan, catalog and facts always give the same plan.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { DivestError } from '../errors';
import type { MachineFacts } from '../host/facts';
import type { Catalog, Product } from '../model/catalog';
import type { HostOs } from '../model/host';
import { Plan, PLAN_SCHEMA, type Advice, type PlanStep } from '../model/plan';
import type { Finding, ScanResult } from '../model/scan';
import { TOOLS } from './tools';
import { guidedStep } from './tools/manual';
import {
  isRefusal,
  type Drafted,
  type Refusal,
  type ToolPlanOptions,
  type UninstallerTool,
} from './tools/tool';

export interface PlanOptions {
  scan: ScanResult;
  catalog: Catalog;
  /** What the machine holds (binaries, an image's shell, uninstallers): `gatherFacts`. */
  facts: MachineFacts;
  /** Only these catalog product ids (CLI `--only`). */
  only?: readonly string[];
  /** Where MSI verbose logs go (`<dataDir>/logs`). */
  logDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * Run an image's package scripts on THIS machine, as root, when the image has no shell to run
   * them in (dpkg --force-script-chrootless). Off unless the operator asks for it loudly (the CLI's
   * `--run-image-scripts-on-this-machine`): a hostile image's scripts would run here.
   */
  allowImageScriptsOnHost?: boolean;
  now?: () => Date;
}

/** Which tool removes a finding on this OS, or why none can. */
function chooseTool(os: HostOs, finding: Finding, product: Product): UninstallerTool | Refusal {
  switch (os) {
    case 'windows': {
      const recipe = product.removal?.windows;
      if (!recipe) return { skip: 'the catalog has no automated Windows removal for this product' };
      return recipe.method === 'msi' ? TOOLS.msiexec : TOOLS.exe;
    }
    case 'macos':
      return TOOLS.script;
    case 'linux': {
      if (!product.removal?.linux)
        return { skip: 'the catalog has no package removal recipe for this product' };
      const managers = new Set(finding.removalHints.packages.map((p) => p.manager));
      if (managers.size === 0)
        return {
          skip: 'no package of this product is registered with dpkg or rpm',
          byHand: unpackagedSteps(finding),
        };
      if (managers.size > 1)
        return { skip: 'the product is registered with both dpkg and rpm; remove it by hand' };
      return managers.has('dpkg') ? TOOLS.dpkg : TOOLS.rpm;
    }
  }
}

/**
 * Concrete instructions for a Linux product found by its program folder alone (a manual install,
 * or a package database that lost it): its own uninstaller first, then its services, then its folders.
 */
function unpackagedSteps(finding: Finding): string[] {
  // The product's own folders: a vendor-wide parent (/opt/kaspersky) may hold other products too.
  const all = finding.removalHints.paths;
  const folders = all.filter((p) => !all.some((q) => q.startsWith(`${p}/`)));
  const units = finding.evidence
    .filter((e) => e.kind === 'service')
    .map((e) => e.location.split('/').pop() ?? e.location);
  const programFolders = folders.filter((p) => p.startsWith('/opt/'));
  return [
    ...(programFolders.length
      ? [
          `Look in ${programFolders.join(', ')} for the product's own uninstaller or setup script (for example bin/setup.py --uninstall, lib/bin/setup/uninstall.pl) and run it as root.`,
        ]
      : []),
    ...(units.length
      ? [`Stop and disable its services as root: systemctl disable --now ${units.join(' ')}.`]
      : []),
    ...(folders.length
      ? [
          `Once nothing of it runs, delete ${folders.join(', ')} as root (keep a copy first if your records policy asks for its logs), then scan again.`,
        ]
      : []),
  ];
}

type Skipped = Plan['skipped'][number];

/** The findings the plan acts on, in removal order, and the others with why not. */
function selectFindings(opts: PlanOptions): {
  candidates: { finding: Finding; product: Product }[];
  skipped: Skipped[];
} {
  const products = new Map(opts.catalog.products.map((p) => [p.id, p]));
  const skipped: Skipped[] = [];
  const candidates: { finding: Finding; product: Product }[] = [];
  const skip = (f: Finding, reason: string, code: NonNullable<Skipped['code']>): void => {
    skipped.push({ findingId: f.id, productId: f.productId, name: f.name, reason, code });
  };
  for (const f of opts.scan.findings) {
    const product = products.get(f.productId);
    if (!product) {
      skip(f, 'the product is not in this catalog', 'not-in-catalog');
      continue;
    }
    if (opts.only && opts.only.length > 0 && !opts.only.includes(f.productId)) {
      skip(f, 'not selected (--only)', 'not-selected');
      continue;
    }
    if (f.status !== 'banned') {
      skip(f, 'not banned: review it and decide; Divest does not remove it', 'not-banned');
      continue;
    }
    const configOnly =
      f.removalHints.packages.length > 0 && f.removalHints.packages.every((p) => !p.installed);
    if (f.presence === 'traces' && !configOnly) {
      skip(
        f,
        'only traces remain (no installed program): see the leftovers and how to clear them',
        'traces-only',
      );
      continue;
    }
    candidates.push({ finding: f, product });
  }
  candidates.sort(
    (a, b) =>
      (a.product.removal?.order ?? 500) - (b.product.removal?.order ?? 500) ||
      a.finding.name.localeCompare(b.finding.name),
  );
  return { candidates, skipped };
}

/** What the user must know before any step runs. */
function planWarnings(steps: readonly PlanStep[]): Advice[] {
  if (steps.length === 0) return [];
  const say = (text: string): Advice => ({ text, refs: [] });
  return [
    say(
      'Removal needs administrator rights. Without them Divest can still scan, explain and export a receipt.',
    ),
    say(
      'Save your work and close other programs first: uninstallers stop services and may ask for a restart.',
    ),
    say('A restart may be needed to finish; Divest resumes where it stopped when you run it again.'),
    ...(steps.some((s) => s.credentials)
      ? [
          say(
            'Some of these products may be password-protected. If removal fails, have the uninstall password ready (it is asked for at run time and never stored).',
          ),
        ]
      : []),
    say('Do not leave the machine unprotected: Divest checks the replacement antivirus after removal.'),
  ];
}

/** Refuses facts that describe another machine than the scan's. */
function checkFacts(scan: ScanResult, facts: MachineFacts): void {
  const root = scan.hostRoot ?? '/';
  if (facts.os !== scan.host.os || facts.root !== root)
    throw new DivestError(
      'internal',
      `The machine's facts are for ${facts.os} at ${facts.root}, but the scan is of ${scan.host.os} at ${root}.`,
    );
}

/**
 * A step's argv as the plan id hashes it: msiexec's verbose log path (`/l*v PATH`) is left out,
 * because it lies in the data folder of whoever plans, and the app (the user's folder) and its
 * elevated helper (the machine's) must arrive at the same id for the same work.
 */
function idArgv(argv: readonly string[]): readonly string[] {
  const log = argv.indexOf('/l*v');
  return log >= 0 ? [...argv.slice(0, log + 1), ...argv.slice(log + 2)] : argv;
}

/** Builds the ordered removal plan for a scan's findings. */
export function buildPlan(opts: PlanOptions): Plan {
  const now = opts.now ?? (() => new Date());
  const os = opts.scan.host.os;
  checkFacts(opts.scan, opts.facts);
  const { candidates, skipped } = selectFindings(opts);

  const planKey = createHash('sha256')
    .update(canonicalize(opts.scan.findings.map((f) => [f.id, f.evidence.length])) ?? '')
    .update(os)
    .update(opts.scan.hostRoot ?? '')
    .digest('hex')
    .slice(0, 16);
  const toolOptions: ToolPlanOptions = {
    os,
    ...(opts.scan.hostRoot ? { hostRoot: opts.scan.hostRoot } : {}),
    logDir: opts.logDir,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    planKey,
    allowImageScriptsOnHost: opts.allowImageScriptsOnHost === true,
  };

  const steps: PlanStep[] = [];
  for (const { finding, product } of candidates) {
    const tool = chooseTool(os, finding, product);
    const drafted: Drafted[] = isRefusal(tool)
      ? [tool]
      : tool.plan(finding, product, opts.facts, toolOptions);
    for (const d of drafted)
      // Nothing to run safely: the user gets the guided manual steps instead.
      steps.push({ id: `s${steps.length + 1}`, ...(isRefusal(d) ? guidedStep(finding, product, os, d) : d) });
  }

  return Plan.parse({
    schema: PLAN_SCHEMA,
    id: createHash('sha256')
      .update(canonicalize(steps.map((s) => [s.productId, idArgv(s.argv), s.targets])) ?? '')
      .update(planKey)
      .digest('hex')
      .slice(0, 16),
    createdAt: now().toISOString(),
    os,
    ...(opts.scan.hostRoot ? { hostRoot: opts.scan.hostRoot } : {}),
    requiresAdmin: steps.some((s) => s.method !== 'manual'),
    warnings: planWarnings(steps),
    steps,
    skipped,
  });
}
