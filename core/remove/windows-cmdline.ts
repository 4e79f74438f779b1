/**
 * Turning a registry `UninstallString` into an argv Divest may run, or refusing to.
 *
 * An UninstallString is text read off the machine: anyone who can write the registry can put
 * `msiexec /x {GUID} & cmd /c evil` there. Divest never hands it to a shell. It splits it the way
 * Windows programs split their command lines (CommandLineToArgvW), then accepts it only when it
 * matches the catalog's recipe exactly: an MSI removal of the very product code found, or the
 * vendor's own uninstaller image with known quiet switches. Anything else falls back to the
 * catalog's safe form (msiexec /x {ProductCode}) or to guided manual steps.
 */

/** Only space and tab separate arguments on Windows (not other Unicode white space). */
const isSep = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Windows command-line splitting (the MSVC runtime's rules; CommandLineToArgvW differs only for
 * `""` inside quotes, which a checked uninstall command never needs).
 */
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  // argv[0]: quotes delimit, backslashes are literal.
  while (i < n && isSep(line[i])) i++;
  if (i >= n) return args;
  let first = '';
  if (line[i] === '"') {
    i++;
    while (i < n && line[i] !== '"') first += line[i++];
    i++;
  } else {
    while (i < n && !isSep(line[i])) first += line[i++];
  }
  args.push(first);
  while (i < n) {
    while (i < n && isSep(line[i])) i++;
    if (i >= n) break;
    let arg = '';
    let inQuotes = false;
    while (i < n) {
      const c = line[i];
      if (c === '\\') {
        let slashes = 0;
        while (line[i] === '\\') {
          slashes++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(slashes / 2));
          if (slashes % 2 === 1) {
            arg += '"';
            i++;
          }
        } else arg += '\\'.repeat(slashes);
        continue;
      }
      if (c === '"') {
        if (inQuotes && line[i + 1] === '"') {
          arg += '"';
          i += 2;
          continue;
        }
        inQuotes = !inQuotes;
        i++;
        continue;
      }
      if (!inQuotes && isSep(c)) break;
      arg += c;
      i++;
    }
    args.push(arg);
  }
  return args;
}

export const GUID_RE = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/** Characters that mean "a shell would do something here": never in a command we accept. */
const SHELL_META = /[&|<>^%`;\n\r]|\$\(/;

export type UninstallCheck =
  | { ok: true; kind: 'msi'; productCode: string }
  | { ok: true; kind: 'exe'; image: string; args: string[] }
  | { ok: false; reason: string };

/**
 * Checks that an MSI UninstallString removes exactly `productCode` and nothing else.
 *
 * Accepts `MsiExec.exe /X{GUID}`, `MsiExec.exe /I{GUID}` (Windows writes /I for products with a
 * maintenance UI; removal is still /x) and the same with a space, quotes or a full path.
 */
export function checkMsiUninstallString(s: string, productCode: string): UninstallCheck {
  if (SHELL_META.test(s))
    return { ok: false, reason: `the UninstallString contains shell characters: ${JSON.stringify(s)}` };
  const argv = splitWindowsCommandLine(s);
  const image = (argv[0] ?? '').split(/[\\/]/).pop()?.toLowerCase();
  if (image !== 'msiexec.exe' && image !== 'msiexec')
    return {
      ok: false,
      reason: `the UninstallString does not run msiexec (${JSON.stringify(argv[0] ?? '')})`,
    };
  const rest = argv.slice(1);
  let code: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    const m = /^\/([xXiI])(.*)$/.exec(a);
    if (m) {
      if (code !== undefined)
        return { ok: false, reason: 'the UninstallString has more than one install or removal switch' };
      code = m[2] ? m[2] : rest[++i];
      continue;
    }
    if (/^\/(q[nbr]?[+-]?|norestart|passive)$/i.test(a) || /^[A-Z][A-Z0-9_]*=[^\s"]*$/.test(a)) continue;
    return { ok: false, reason: `the UninstallString has an unexpected argument ${JSON.stringify(a)}` };
  }
  if (!code || !GUID_RE.test(code))
    return { ok: false, reason: 'the UninstallString names no MSI product code' };
  if (code.toUpperCase() !== productCode.toUpperCase())
    return {
      ok: false,
      reason: `the UninstallString removes ${code}, not the product found (${productCode})`,
    };
  return { ok: true, kind: 'msi', productCode: productCode.toUpperCase() };
}

/**
 * Windows' own programs (script hosts, system tools, LOLBins): never a vendor's uninstaller,
 * whatever a catalog pattern says.
 */
const WINDOWS_PROGRAMS =
  /^(cmd|powershell|powershell_ise|pwsh|wscript|cscript|mshta|rundll32|regsvr32|msiexec|reg|regedit|regini|sc|net|net1|schtasks|at|bitsadmin|certutil|certreq|wmic|explorer|conhost|taskkill|bcdedit|vssadmin|wevtutil|forfiles|installutil|msbuild|regasm|regsvcs|cmstp|msxsl|odbcconf|hh|control|shutdown|diskpart|format|takeown|icacls|cacls|curl|tar|bash|wsl|ftp|finger|expand|extrac32|makecab|esentutl|msdt|pcalua|presentationhost|syncappvpublishingserver|infdefaultinstall|mavinject|dnscmd|ntdsutil)\.exe$/i;

/** A catalog pattern that must match the whole file name (`uninst` does not accept `uninst_evil.exe`). */
function wholeName(r: RegExp): RegExp {
  return new RegExp(`^(?:${r.source})$`, r.flags.replace(/[gy]/g, ''));
}

/**
 * Checks a vendor EXE uninstaller command against the recipe: an absolute path to an `.exe` whose
 * whole file name matches one of `images` and is not one of Windows' own programs, and only
 * arguments from `allowedArgs`. Where the image may live is the EXE tool's rule (tools/exe.ts).
 */
export function checkExeUninstallString(
  s: string,
  images: readonly RegExp[],
  allowedArgs: readonly string[],
): UninstallCheck {
  if (SHELL_META.test(s))
    return { ok: false, reason: `the uninstall command contains shell characters: ${JSON.stringify(s)}` };
  const argv = splitWindowsCommandLine(s);
  const image = argv[0] ?? '';
  if (!/^[A-Za-z]:\\/.test(image) || image.includes('..'))
    return { ok: false, reason: `the uninstaller is not an absolute path: ${JSON.stringify(image)}` };
  if (!/\.exe$/i.test(image))
    return { ok: false, reason: `the uninstaller is not an .exe: ${JSON.stringify(image)}` };
  const base = image.split('\\').pop() ?? '';
  if (WINDOWS_PROGRAMS.test(base) || !images.some((r) => wholeName(r).test(base)))
    return { ok: false, reason: `the uninstaller ${base} is not one the catalog knows for this product` };
  const allowed = new Set(allowedArgs.map((a) => a.toLowerCase()));
  const bad = argv.slice(1).find((a) => !allowed.has(a.toLowerCase()));
  if (bad !== undefined)
    return { ok: false, reason: `the uninstall command has an unexpected argument ${JSON.stringify(bad)}` };
  return { ok: true, kind: 'exe', image, args: argv.slice(1) };
}
