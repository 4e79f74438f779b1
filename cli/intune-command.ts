/**
 * `divest intune detect` and `divest intune remediate`: Intune Remediations' detection and
 * remediation, by Microsoft's rules (core/fleet/engines.ts): one line on stdout, nothing on stderr.
 *
 * detect: exit 1 banned software is installed (Intune runs the remediation), 0 clean or only a
 * restart missing, 2 could not tell. remediate: exit 0 nothing banned left (or a restart
 * missing), 1 otherwise; the signed receipt goes to <data dir>\receipts\divest-receipt.json.
 */
import { intuneDetect, intuneRemediate } from '../core/fleet/engines';
import { remediateUnattended } from '../core/fleet/remediate';
import { machineStatus } from '../core/usecases/status';
import { COMMON_FLAGS, CommonOptions, UsageError, parseCommand } from './args';
import { makeWorkspace } from './context';
import { engineCommand } from './engine-output';
import { statusLine } from './status-command';

const HELP = `divest intune detect [--data-dir DIR]      Remediations detection: exit 1 when banned software is installed
divest intune remediate [--data-dir DIR]   Remediations remediation: remove, export the receipt, one status line

Both print one line (DIVEST/1 state=...), at most 2,048 characters, and nothing on stderr.
detect exits 1 (remediate), 0 (clean, or only a restart missing) or 2 (could not tell).
remediate exits 0 (nothing banned left, or only a restart missing) or 1.
`;

/** Runs `divest intune ...`. */
export async function runIntune(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'detect' && sub !== 'remediate')
    throw new UsageError(`intune: unknown subcommand "${sub}" (detect, remediate)`);
  return engineCommand(out, sub === 'detect' ? 2 : 1, async () => {
    const { options, help } = parseCommand(`intune ${sub}`, rest, COMMON_FLAGS, CommonOptions, {
      min: 0,
      max: 0,
      names: '',
    });
    if (help) return { line: HELP.split('\n')[sub === 'detect' ? 0 : 1] ?? '', exitCode: 0 };
    const ws = makeWorkspace(options);
    const version = ws.catalog.catalog.version;
    if (sub === 'detect') {
      const { verdict } = await machineStatus(ws);
      return intuneDetect(verdict, statusLine(verdict, version));
    }
    const { verdict, receiptFile } = await remediateUnattended(ws);
    return intuneRemediate(verdict, `${statusLine(verdict, version)} receipt=${receiptFile ?? 'none'}`);
  });
}
