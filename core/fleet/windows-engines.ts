/**
 * `divest fleet intune` and `divest fleet configmgr`: the PowerShell wrappers (a few lines each;
 * every decision is in `divest.exe`, which the tests run under Wine) and the settings to enter.
 *
 * The scripts follow Microsoft's rules for Remediations and ConfigMgr detection scripts: UTF-8
 * without a byte-order mark, CRLF, no secrets, no restart commands, one output line, and nothing
 * on stderr (a missing divest.exe is reported on stdout too).
 */
import { crlf, headerComment, provenanceLine, type GeneratedFile, type Provenance } from './artifacts';
import { WINDOWS_EXE, WINDOWS_EXE_PS } from './install-layout';
import { MSI_EXIT } from './exit-codes';

function wrapper(p: Provenance, purpose: string, command: string): string {
  return crlf(`${headerComment(p, '#', [purpose])}
$divest = ${WINDOWS_EXE_PS}
if (-not (Test-Path -LiteralPath $divest)) { Write-Output 'DIVEST/1 state=error message="divest.exe is not installed"'; exit 2 }
& $divest ${command}
exit $LASTEXITCODE
`);
}

function intuneReadme(p: Provenance): string {
  return `# Divest for Intune

${provenanceLine(p)}

## 1. Deploy divest.exe (Win32 app)

- Package \`divest.exe\` (from \`npm run build:sea\`, re-signed with your code-signing certificate)
  with IntuneWinAppUtil, installing it to \`${WINDOWS_EXE}\`.
- Install command: \`powershell.exe -NoProfile -Command "New-Item -ItemType Directory -Force -Path (Join-Path $env:ProgramW6432 'Divest') | Out-Null; Copy-Item -Force .\\divest.exe (Join-Path $env:ProgramW6432 'Divest\\divest.exe')"\`
- Detection rule: File, path \`%ProgramW6432%\\Divest\`, file \`divest.exe\`, exists (or its
  version, to push upgrades).
- Assign it as Required to the devices that must be checked.

## 2. Remediations (Devices > Scripts and remediations)

- Detection script: \`Detect-Divest.ps1\`. It runs \`divest.exe intune detect\`: one line
  \`DIVEST/1 state=...\` on stdout, nothing on stderr; exit 1 when banned software is installed
  (Intune then runs the remediation), 0 when the machine is clean or only waits for a restart,
  2 when Divest could not tell (an error or places it could not inspect: the line says which).
- Remediation script: \`Remediate-Divest.ps1\`. It runs \`divest.exe intune remediate\`:
  \`divest remove --yes\`, a signed receipt in \`%ProgramData%\\Divest\\receipts\\\`, one status line;
  exit 0 when nothing banned is left (or only a restart is missing), 1 otherwise.
- Settings: Run this script using the logged-on credentials: No. Enforce script signature check:
  Yes if you sign the scripts (they are UTF-8 without BOM, as signing requires), else No. Run script
  in 64-bit PowerShell: Yes. Schedule: daily.

A password-protected product cannot be removed unattended (Remediation scripts must hold no
secrets): such a machine reports \`state=needs-credential\`; change the product's protection policy
in Kaspersky Security Center, or remove it by hand. Divest never restarts a machine:
\`state=restart-pending\` clears after the next restart.
`;
}

function configMgrReadme(p: Provenance): string {
  return `# Divest for Configuration Manager

${provenanceLine(p)}

One application, "Divest remediation", whose install program IS the removal:

- Deployment type: Script Installer.
- Installation program: \`"${WINDOWS_EXE}" remove --yes --exit-codes msi\`
  (install \`divest.exe\` there first, with its own application or a package).
- Uninstall program: none. Installation behavior: Install for system. Maximum run time: 120 minutes.
- Detection method: Use a custom script, PowerShell, \`Detect-Divest.ps1\`. It runs
  \`divest.exe configmgr detect\`: exit 0 and one line on stdout when no banned software is
  installed ("Installed", compliant); exit 0 and NOTHING on stdout when banned software is
  installed ("Not installed": ConfigMgr runs the installation program); a non-zero exit when Divest
  could not tell ("Unknown"), so nothing is run on a machine whose state is unknown.
- Return codes (\`--exit-codes msi\`):

  | code | type | meaning |
  | ---- | ---- | ------- |
  | ${MSI_EXIT.success} | Success (no reboot) | removed and verified, or nothing to remove |
  | ${MSI_EXIT.softReboot} | Soft Reboot | removed; a restart finishes it (Divest never restarts) |
  | ${MSI_EXIT.fastRetry} | Fast Retry | another installation kept the uninstaller busy |
  | ${MSI_EXIT.failure} | Failure (no reboot) | failed: see the receipt and \`divest status\` |

  ${MSI_EXIT.failure} is not among ConfigMgr's defaults for a Script Installer: any code it does not
  list counts as a failure, which is what ${MSI_EXIT.failure} means.

A password-protected product fails with ${MSI_EXIT.failure}; \`divest status --line\` then says
\`state=needs-credential\`.
`;
}

/** The files of `divest fleet intune`. */
export function intuneFiles(p: Provenance): GeneratedFile[] {
  return [
    {
      path: 'Detect-Divest.ps1',
      content: wrapper(
        p,
        'Intune Remediations detection script: exit 1 when banned software is installed.',
        'intune detect',
      ),
      mode: 0o644,
    },
    {
      path: 'Remediate-Divest.ps1',
      content: wrapper(
        p,
        'Intune Remediations remediation script: removes banned software, exports the receipt.',
        'intune remediate',
      ),
      mode: 0o644,
    },
    { path: 'README.md', content: intuneReadme(p), mode: 0o644 },
  ];
}

/** The files of `divest fleet configmgr`. */
export function configMgrFiles(p: Provenance): GeneratedFile[] {
  return [
    {
      path: 'Detect-Divest.ps1',
      content: wrapper(
        p,
        'ConfigMgr detection script: stdout only when no banned software is installed.',
        'configmgr detect',
      ),
      mode: 0o644,
    },
    { path: 'README.md', content: configMgrReadme(p), mode: 0o644 },
  ];
}
