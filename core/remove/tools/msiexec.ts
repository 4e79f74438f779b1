/**
 * Windows Installer: `msiexec /x {ProductCode} /qn /norestart`, by absolute path under %SystemRoot%.
 *
 * The product code is the Uninstall key's own `{GUID}`; the registry's UninstallString is only
 * checked (and a note says when it was refused), never run. A catalog may add only properties from
 * a fixed vocabulary that keeps msiexec from restarting anything; anything else (REBOOT=Force,
 * TRANSFORMS, PATCH, ADDLOCAL...) is refused by name and the step runs without it: those can only
 * add to what msiexec does, and `/x` removes the product completely without them, whereas a manual
 * step would leave a banned product installed because of a catalog's mistake. Credential properties
 * are never taken from a catalog: they are asked for at run time, when a protected product refuses.
 *
 * Exit codes from Microsoft's "MsiExec.exe and InstMsi.exe error messages" (research [S16]).
 */
import path from 'node:path';
import { ensureDir } from '../../fs-dirs';
import { UNINSTALL_SUBKEY, windowsTools } from '../../host/windows';
import type { CredentialScheme } from '../../model/catalog';
import type { PlanStep } from '../../model/plan';
import { checkMsiUninstallString, GUID_RE } from '../windows-cmdline';
import { classifyAbnormal, nameAndVersion, stepBase } from './common';
import type { Attempt, Classification, Credentials, Drafted, Presence, UninstallerTool } from './tool';

/**
 * The only MSI properties a catalog may ask for (values compared without case): each keeps msiexec
 * from restarting the machine or shutting programs down, nothing more.
 */
export const CATALOG_MSI_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  REBOOT: ['ReallySuppress'],
  MSIRESTARTMANAGERCONTROL: ['Disable'],
};

/** Properties that carry an uninstall password: from the operator at run time, never a catalog. */
const CREDENTIAL_PROPERTIES = new Set(['KLLOGIN', 'KLPASSWD', 'KLUNINSTPASSWD']);

/** The catalog's properties split into those passed (canonical spelling) and notes on the rest. */
export function catalogProperties(props: Readonly<Record<string, string>>): {
  args: string[];
  notes: string[];
} {
  const args: string[] = [];
  const notes: string[] = [];
  const allowed = Object.entries(CATALOG_MSI_PROPERTIES)
    .map(([k, vs]) => vs.map((v) => `${k}=${v}`).join(', '))
    .join(', ');
  for (const [name, value] of Object.entries(props)) {
    const known = CATALOG_MSI_PROPERTIES[name]?.find((v) => v.toLowerCase() === value.toLowerCase());
    if (known !== undefined) {
      args.push(`${name}=${known}`);
      continue;
    }
    const why = CREDENTIAL_PROPERTIES.has(name)
      ? 'it carries an uninstall credential, which Divest asks for at run time and never takes from a catalog'
      : `a catalog may ask only for ${allowed}, which keep msiexec from restarting anything`;
    notes.push(
      `The catalog's MSI property ${name}=${JSON.stringify(value)} was refused (${why}); the step runs without it.`,
    );
  }
  return { args, notes };
}

/** The credential properties for a scheme (the values are secrets). */
export function credentialArgs(scheme: CredentialScheme, c: Credentials): string[] {
  switch (scheme) {
    case 'kes-kllogin-klpasswd':
      return [...(c.login ? [`KLLOGIN=${c.login}`] : []), `KLPASSWD=${c.password}`];
    case 'klnagent-uninstpasswd-hex':
      // Hex of the password's UTF-16LE bytes (community scripts; the official encoding is unconfirmed).
      return [`KLUNINSTPASSWD=${Buffer.from(c.password, 'utf16le').toString('hex').toUpperCase()}`];
  }
}

/**
 * Strings to hide in an uninstaller's live output: the password and its hex form.
 *
 * Only for display. What the journal refuses to store is the exact credential arguments
 * (`KLPASSWD=...`): a password that is also an ordinary word ("Kaspersky") must not stop Divest
 * from recording product names.
 */
export function credentialSecrets(c: Credentials): string[] {
  const hex = Buffer.from(c.password, 'utf16le').toString('hex');
  return [c.password, hex, hex.toUpperCase()].filter((s) => s.length > 0);
}

const MSI: Record<number, Classification> = {
  0: { outcome: 'removed', message: 'msiexec finished successfully (0).' },
  1605: {
    outcome: 'already-absent',
    message: 'msiexec: this product is not installed (1605): it was already removed.',
  },
  1614: { outcome: 'already-absent', message: 'msiexec: the product is uninstalled (1614).' },
  1641: { outcome: 'reboot-required', message: 'msiexec removed the product and started a restart (1641).' },
  3010: {
    outcome: 'reboot-required',
    message: 'msiexec removed the product; a restart is required to finish (3010).',
  },
  1618: {
    outcome: 'failed',
    retry: true,
    message: 'Another installation is already in progress (1618); Divest waits and retries.',
  },
  1602: { outcome: 'failed', message: 'The uninstallation was cancelled (1602).' },
  1603: {
    outcome: 'failed',
    maybeNeedsCredentials: true,
    message:
      'msiexec reported a fatal error (1603). For Kaspersky this is most often a missing or wrong uninstall password, or self-defence blocking the removal: see the step log, then retry with the password or use the guided removal tool.',
  },
  1627: {
    outcome: 'failed',
    maybeNeedsCredentials: true,
    message:
      "msiexec reported that a function failed during the uninstallation (1627), typically the product's own check refusing the removal (a password or self-defence): see the step log, then retry with the password or use the guided removal tool.",
  },
  1612: { outcome: 'failed', message: 'The installation source for this product is not available (1612).' },
  1620: { outcome: 'failed', message: 'The installation package could not be opened (1620).' },
  1639: { outcome: 'failed', message: 'msiexec rejected the command line (1639).' },
  1625: { outcome: 'failed', message: 'System policy prohibits this uninstallation (1625).' },
  1730: { outcome: 'failed', message: 'You must be an administrator to remove this product (1730).' },
};

/** The text for an Uninstall entry that outlived its product (shared with the EXE tool). */
export function orphanedEntryText(present: readonly string[]): string {
  return `But its entry ${present.join(', ')} is still in the registry: an orphaned entry of a half-removed product. Check that its program folder is gone, then delete the entry by hand, or use the vendor's removal tool.`;
}

/** Whether Uninstall\{code} exists in either registry view, or under HKCU (three `reg query` calls). */
async function msiPresence(
  step: PlanStep,
  ctx: Parameters<UninstallerTool['presence']>[1],
): Promise<Presence> {
  const reg = windowsTools(ctx.env).reg;
  const present: string[] = [];
  const unknown: string[] = [];
  for (const code of step.targets) {
    let found = false;
    let known = true;
    // Per-machine entries in both registry views, and a per-user install's entry under HKCU.
    const queries = [
      [`HKLM\\${UNINSTALL_SUBKEY}\\${code}`, '/reg:64'],
      [`HKLM\\${UNINSTALL_SUBKEY}\\${code}`, '/reg:32'],
      [`HKCU\\${UNINSTALL_SUBKEY}\\${code}`],
    ];
    for (const q of queries) {
      const r = await ctx.runner.run([reg, 'query', ...q], { timeoutMs: 30_000 });
      if (r.exitCode === 0) found = true;
      else if (r.spawnError || r.timedOut) known = false;
    }
    if (found) present.push(code);
    else if (!known) unknown.push(code);
  }
  return { present, unknown };
}

export const msiexec: UninstallerTool = {
  name: 'msiexec',
  defaultTimeoutMs: 30 * 60_000,

  plan(finding, product, _facts, o) {
    const recipe = product.removal?.windows;
    if (!recipe) return [{ skip: 'the catalog has no automated Windows removal for this product' }];
    const exe = path.win32.join(windowsTools(o.env).systemRoot, 'System32', 'msiexec.exe');
    const props = catalogProperties(recipe.msiProperties);
    const out: Drafted[] = [];
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
      out.push({
        ...stepBase(finding, product, 'windows'),
        title: `Uninstall ${nameAndVersion(finding)} (msiexec /x ${code})`,
        method: 'msi',
        tool: 'msiexec',
        argv: [
          exe,
          '/x',
          code,
          '/qn',
          '/norestart',
          ...props.args,
          '/l*v',
          path.win32.join(o.logDir, `${o.planKey}-${code}.log`),
        ],
        ...(recipe.credentials ? { credentials: recipe.credentials } : {}),
        targets: [code],
        timeoutMs: o.timeoutMs ?? msiexec.defaultTimeoutMs,
        preflight: [
          'Administrator rights (an elevated prompt)',
          `The product ${code} is still registered with Windows Installer`,
        ],
        notes: [...notes, ...props.notes],
      });
    }
    if (codes.length === 0)
      out.push({ skip: 'no Windows Installer product code was found for it (not an MSI install)' });
    return out;
  },

  classify(r) {
    const abnormal = classifyAbnormal(r);
    if (abnormal) return abnormal;
    const code = r.exitCode as number;
    return MSI[code] ?? { outcome: 'failed', message: `msiexec failed with exit code ${code}.` };
  },

  presence: msiPresence,

  prepareAttempt(step, credentials): Attempt {
    const credArgs = credentials && step.credentials ? credentialArgs(step.credentials, credentials) : [];
    // The login is not secret; the password arguments are.
    const secrets = credArgs.filter((a) => !a.startsWith('KLLOGIN='));
    // msiexec's verbose log lists every property's value: an attempt that carries a password runs
    // without it (unless the package hides the property, the log would hold the password).
    const logAt = step.argv.indexOf('/l*v');
    const argv =
      logAt >= 0 && credArgs.length
        ? [...step.argv.slice(0, logAt), ...credArgs, ...step.argv.slice(logAt + 2)]
        : [...step.argv, ...credArgs];
    const logFile = argv.indexOf('/l*v') >= 0 ? argv[argv.indexOf('/l*v') + 1] : undefined;
    return {
      argv,
      secrets,
      outputSecrets: credentials ? [...secrets, ...credentialSecrets(credentials)] : [],
      // msiexec fails (1622) when its log folder does not exist. Only a folder that is a path on
      // this machine is created (a plan for Windows examined elsewhere must not leave `C:\...` here).
      ...(logFile
        ? {
            prepare: () => {
              const dir = path.win32.dirname(logFile);
              if (!path.isAbsolute(dir)) return;
              try {
                ensureDir(dir);
              } catch {
                /* msiexec will say so (1622) */
              }
            },
          }
        : {}),
    };
  },

  cleanUpText(step, f) {
    if (f.kind === 'orphaned') return orphanedEntryText(f.present);
    if (f.maybeNeedsCredentials && step.credentials && !f.credentialsGiven)
      return 'If the product is password-protected, run again and give the uninstall password when asked (or with --password-stdin).';
    return undefined;
  },
};
