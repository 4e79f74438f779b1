/**
 * The removal plan: which uninstallers run, in which order, with what the user must know first.
 *
 * Built only from the catalog's recipes filled with values the scan found and validated: an MSI
 * product code must be a `{GUID}` that is the Uninstall key's own name, a package name must obey
 * the package manager's rules and be a package the scan attributed to the product. Nothing read
 * off the machine becomes a command unless it matches the recipe exactly; what cannot be automated
 * safely becomes a guided manual step. The plan is plain data (zod-validated) so it can be stored
 * in the journal, shown in the app and resumed after a reboot.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { Catalog, Product, RemovalAdvice } from '../model/catalog';
import type { HostOs } from '../model/host';
import { Plan, PLAN_SCHEMA, type Advice, type PlanStep } from '../model/plan';
import type { Finding, ScanResult } from '../model/scan';
import { windowsTools } from '../host/windows';
import { checkExeUninstallString, checkMsiUninstallString, GUID_RE } from './windows-cmdline';

export interface PlanOptions {
  scan: ScanResult;
  catalog: Catalog;
  /** Only these catalog product ids (CLI `--only`). */
  only?: readonly string[];
  /** Where MSI verbose logs go (`<dataDir>/logs`). */
  logDir: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  now?: () => Date;
}

const DEFAULT_TIMEOUT_MS: Record<PlanStep['tool'], number> = {
  msiexec: 30 * 60_000,
  exe: 30 * 60_000,
  dpkg: 10 * 60_000,
  rpm: 10 * 60_000,
  script: 20 * 60_000,
  manual: 1,
};

const DPKG_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9_+.-]*$/;

const toAdvice = (f: RemovalAdvice): Advice => ({
  text: f.text,
  refs: f.refs,
  ...(f.unconfirmed ? { unconfirmed: f.unconfirmed } : {}),
});

/** The product's removal advice that concerns this OS. */
function adviceFor(product: Product, os: HostOs): { warnings: Advice[]; manualSteps: Advice[] } {
  const applies = (a: RemovalAdvice): boolean => !a.platforms || a.platforms.includes(os);
  return {
    warnings: (product.removal?.warnings ?? []).filter(applies).map(toAdvice),
    manualSteps: (product.removal?.manualSteps ?? []).filter(applies).map(toAdvice),
  };
}

/** A binary by absolute path when it is in a standard place, else its name (PATH lookup). */
function systemBinary(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}

/** The package database of a package evidence location (`dpkg:/var/lib/dpkg/status#x`, `rpm:/var/lib/rpm#x`). */
function databaseOf(finding: Finding, manager: 'dpkg' | 'rpm'): string | undefined {
  const e = finding.evidence.find((x) => x.kind === 'package' && x.location.startsWith(`${manager}:`));
  const m = e ? /^(?:dpkg|rpm):([^#]+)#/.exec(e.location) : null;
  if (!m?.[1]) return undefined;
  return manager === 'dpkg' ? path.posix.dirname(m[1]) : m[1];
}

/** True when the image has a shell in which its maintainer scripts could run chrooted. */
function imageHasShell(root: string): boolean {
  return existsSync(path.join(root, 'bin', 'sh')) || existsSync(path.join(root, 'usr', 'bin', 'sh'));
}

function packageStep(
  finding: Finding,
  product: Product,
  os: HostOs,
  hostRoot: string | undefined,
  timeoutMs: number | undefined,
): Omit<PlanStep, 'id'> | { skip: string } {
  const recipe = product.removal?.linux;
  if (!recipe) return { skip: 'the catalog has no package removal recipe for this product' };
  const byManager = new Map<'dpkg' | 'rpm', string[]>();
  for (const p of finding.removalHints.packages) {
    const list = byManager.get(p.manager) ?? [];
    list.push(p.name);
    byManager.set(p.manager, list);
  }
  if (byManager.size === 0) return { skip: 'no package of this product is registered with dpkg or rpm' };
  if (byManager.size > 1)
    return { skip: 'the product is registered with both dpkg and rpm; remove it by hand' };
  const [manager, names] = [...byManager][0] as ['dpkg' | 'rpm', string[]];
  const bad = names.find((n) => !(manager === 'dpkg' ? DPKG_NAME : RPM_NAME).test(n));
  if (bad) return { skip: `the package name ${JSON.stringify(bad)} is not a valid ${manager} name` };
  const notes: string[] = [];
  const database = databaseOf(finding, manager);
  let argv: string[];
  if (manager === 'dpkg') {
    argv = [systemBinary('dpkg')];
    if (hostRoot) {
      // dpkg --root does not move its log: keep the image's history in the image.
      argv.push(`--root=${hostRoot}`, `--log=${path.posix.join(hostRoot, 'var/log/dpkg.log')}`);
      if (!imageHasShell(hostRoot)) {
        argv.push('--force-script-chrootless');
        notes.push(
          `The image at ${hostRoot} has no shell, so the packages' removal scripts run on this machine with DPKG_ROOT=${hostRoot} (dpkg --force-script-chrootless), as they were when the image was built.`,
        );
      }
      if (typeof process.getuid === 'function' && process.getuid() !== 0) argv.push('--force-not-root');
    }
    argv.push(recipe.purge ? '--purge' : '--remove', ...names);
  } else {
    argv = [systemBinary('rpm')];
    if (hostRoot) argv.push('--root', hostRoot);
    if (database) argv.push('--dbpath', database);
    argv.push('-e', ...names);
  }
  return {
    findingId: finding.id,
    productId: product.id,
    productName: finding.name,
    title: `Remove ${finding.name}${finding.version ? ` ${finding.version}` : ''} (${manager} ${recipe.purge && manager === 'dpkg' ? 'purge' : 'remove'}: ${names.join(', ')})`,
    method: 'package',
    tool: manager,
    argv,
    targets: names,
    ...(database ? { database } : {}),
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS[manager],
    preflight: ['Administrator (root) rights', `The packages are still registered with ${manager}`],
    ...adviceFor(product, os),
    notes,
  };
}

function windowsSteps(
  finding: Finding,
  product: Product,
  opts: PlanOptions,
  planKey: string,
): (Omit<PlanStep, 'id'> | { skip: string })[] {
  const recipe = product.removal?.windows;
  const tools = windowsTools(opts.env);
  const msiexec = path.win32.join(tools.systemRoot, 'System32', 'msiexec.exe');
  const common = {
    findingId: finding.id,
    productId: product.id,
    productName: finding.name,
    ...adviceFor(product, 'windows'),
  };
  if (!recipe) return [{ skip: 'the catalog has no automated Windows removal for this product' }];
  const out: (Omit<PlanStep, 'id'> | { skip: string })[] = [];
  if (recipe.method === 'msi') {
    const codes = finding.removalHints.msiProductCodes.filter((c) => GUID_RE.test(c));
    for (const code of codes) {
      const notes: string[] = [];
      const entry = finding.removalHints.uninstallEntries.find((u) =>
        u.location.toUpperCase().endsWith(`\\${code}`),
      );
      if (entry?.uninstallString) {
        const check = checkMsiUninstallString(entry.uninstallString, code);
        if (!check.ok)
          notes.push(
            `The registry's UninstallString was not used (${check.reason}); Divest runs msiexec /x ${code} built from the product code instead.`,
          );
      }
      const props = Object.entries(recipe.msiProperties).map(([k, v]) => `${k}=${v}`);
      out.push({
        ...common,
        title: `Uninstall ${finding.name}${finding.version ? ` ${finding.version}` : ''} (msiexec /x ${code})`,
        method: 'msi',
        tool: 'msiexec',
        argv: [
          msiexec,
          '/x',
          code,
          '/qn',
          '/norestart',
          ...props,
          '/l*v',
          path.win32.join(opts.logDir, `${planKey}-${code}.log`),
        ],
        ...(recipe.credentials ? { credentials: recipe.credentials } : {}),
        targets: [code],
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS.msiexec,
        preflight: [
          'Administrator rights (an elevated prompt)',
          `The product ${code} is still registered with Windows Installer`,
        ],
        notes,
      });
    }
    if (codes.length === 0)
      out.push({ skip: 'no Windows Installer product code was found for it (not an MSI install)' });
    return out;
  }
  // Vendor EXE uninstaller: the quiet command if it checks out, else the plain one plus the quiet switches.
  const images = recipe.exeImages.map((p) => new RegExp(p.re, 'iu'));
  for (const entry of finding.removalHints.uninstallEntries) {
    const tried: string[] = [];
    let accepted: { image: string; args: string[] } | undefined;
    for (const candidate of [entry.quietUninstallString, entry.uninstallString]) {
      if (!candidate) continue;
      const check = checkExeUninstallString(candidate, images, recipe.exeQuietArgs);
      if (check.ok && check.kind === 'exe') {
        accepted = { image: check.image, args: check.args.length ? check.args : [...recipe.exeQuietArgs] };
        break;
      }
      if (!check.ok) tried.push(check.reason);
    }
    if (!accepted) {
      out.push({
        skip: `the uninstall command in ${entry.location} does not match the catalog's recipe (${tried.join('; ') || 'none given'})`,
      });
      continue;
    }
    out.push({
      ...common,
      title: `Uninstall ${finding.name}${finding.version ? ` ${finding.version}` : ''} (vendor uninstaller)`,
      method: 'exe',
      tool: 'exe',
      argv: [accepted.image, ...accepted.args],
      targets: [entry.location],
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS.exe,
      preflight: [
        'Administrator rights (an elevated prompt)',
        `The entry ${entry.location} is still present`,
      ],
      notes: [],
    });
  }
  return out;
}

function macSteps(
  finding: Finding,
  product: Product,
  opts: PlanOptions,
): (Omit<PlanStep, 'id'> | { skip: string })[] {
  const recipe = product.removal?.macos;
  if (!recipe) return [{ skip: 'the catalog has no automated macOS removal for this product' }];
  if (opts.scan.hostRoot)
    return [
      {
        skip: 'vendor uninstall scripts are not run against an image (they would run on this machine); remove it on the Mac itself',
      },
    ];
  for (const u of recipe.uninstallers) {
    let st;
    try {
      st = lstatSync(u.path);
    } catch {
      continue;
    }
    const notes: string[] = [];
    if (!st.isFile() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
      notes.push(`${u.path} exists but is not a root-owned file that only root can change: not run.`);
      return [{ skip: notes[0] ?? 'unsafe uninstaller' }];
    }
    return [
      {
        findingId: finding.id,
        productId: product.id,
        productName: finding.name,
        title: `Run the vendor's uninstall script for ${finding.name}`,
        method: 'script',
        tool: 'script',
        argv: [u.path],
        targets: finding.removalHints.paths,
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS.script,
        preflight: ['Administrator rights (sudo or an administrator account)'],
        ...adviceFor(product, 'macos'),
        notes,
      },
    ];
  }
  return [{ skip: 'none of the vendor uninstallers the catalog knows is present on this Mac' }];
}

/** Builds the ordered removal plan for a scan's findings. */
export function buildPlan(opts: PlanOptions): Plan {
  const now = opts.now ?? (() => new Date());
  const products = new Map(opts.catalog.products.map((p) => [p.id, p]));
  const os = opts.scan.host.os;
  const skipped: Plan['skipped'] = [];
  const candidates: { finding: Finding; product: Product }[] = [];
  for (const f of opts.scan.findings) {
    const product = products.get(f.productId);
    if (!product) {
      skipped.push({
        findingId: f.id,
        productId: f.productId,
        name: f.name,
        reason: 'the product is not in this catalog',
        code: 'not-in-catalog',
      });
      continue;
    }
    if (opts.only && opts.only.length > 0 && !opts.only.includes(f.productId)) {
      skipped.push({
        findingId: f.id,
        productId: f.productId,
        name: f.name,
        reason: 'not selected (--only)',
        code: 'not-selected',
      });
      continue;
    }
    if (f.status !== 'banned') {
      skipped.push({
        findingId: f.id,
        productId: f.productId,
        name: f.name,
        reason: 'not banned: review it and decide; Divest does not remove it',
        code: 'not-banned',
      });
      continue;
    }
    const configOnly =
      f.removalHints.packages.length > 0 && f.removalHints.packages.every((p) => !p.installed);
    if (f.presence === 'traces' && !configOnly) {
      skipped.push({
        findingId: f.id,
        productId: f.productId,
        name: f.name,
        reason: 'only traces remain (no installed program): see the leftovers and how to clear them',
        code: 'traces-only',
      });
      continue;
    }
    candidates.push({ finding: f, product });
  }
  candidates.sort(
    (a, b) =>
      (a.product.removal?.order ?? 500) - (b.product.removal?.order ?? 500) ||
      a.finding.name.localeCompare(b.finding.name),
  );

  const planKey = createHash('sha256')
    .update(canonicalize(opts.scan.findings.map((f) => [f.id, f.evidence.length])) ?? '')
    .update(os)
    .update(opts.scan.hostRoot ?? '')
    .digest('hex')
    .slice(0, 16);

  const steps: PlanStep[] = [];
  for (const { finding, product } of candidates) {
    const built =
      os === 'windows'
        ? windowsSteps(finding, product, opts, planKey)
        : os === 'macos'
          ? macSteps(finding, product, opts)
          : [packageStep(finding, product, os, opts.scan.hostRoot, opts.timeoutMs)];
    for (const s of built) {
      if ('skip' in s) {
        // Nothing to run safely: the user gets the guided manual steps instead.
        steps.push({
          id: `s${steps.length + 1}`,
          findingId: finding.id,
          productId: product.id,
          productName: finding.name,
          title: `Remove ${finding.name} by hand (guided)`,
          method: 'manual',
          tool: 'manual',
          argv: [],
          targets: [],
          timeoutMs: DEFAULT_TIMEOUT_MS.manual,
          preflight: [],
          ...adviceFor(product, os),
          notes: [`No automated removal: ${s.skip}.`],
        });
      } else steps.push({ id: `s${steps.length + 1}`, ...s });
    }
  }

  const warnings: Advice[] = [];
  if (steps.length > 0) {
    warnings.push({
      text: 'Removal needs administrator rights. Without them Divest can still scan, explain and export a receipt.',
      refs: [],
    });
    warnings.push({
      text: 'Save your work and close other programs first: uninstallers stop services and may ask for a restart.',
      refs: [],
    });
    warnings.push({
      text: 'A restart may be needed to finish; Divest resumes where it stopped when you run it again.',
      refs: [],
    });
    if (steps.some((s) => s.credentials))
      warnings.push({
        text: 'Some of these products may be password-protected. If removal fails, have the uninstall password ready (it is asked for at run time and never stored).',
        refs: [],
      });
    warnings.push({
      text: 'Do not leave the machine unprotected: Divest checks the replacement antivirus after removal.',
      refs: [],
    });
  }

  return Plan.parse({
    schema: PLAN_SCHEMA,
    id: createHash('sha256')
      .update(canonicalize(steps.map((s) => [s.productId, s.argv, s.targets])) ?? '')
      .update(planKey)
      .digest('hex')
      .slice(0, 16),
    createdAt: now().toISOString(),
    os,
    ...(opts.scan.hostRoot ? { hostRoot: opts.scan.hostRoot } : {}),
    requiresAdmin: steps.some((s) => s.method !== 'manual'),
    warnings,
    steps,
    skipped,
  });
}
