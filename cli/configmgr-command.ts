/**
 * `divest configmgr detect`: the detection script of the ConfigMgr application whose install
 * program is the removal (`divest remove --yes --exit-codes msi`), by ConfigMgr's rules
 * (core/fleet/engines.ts): exit 0 with one line on stdout when no banned software is installed
 * ("Installed"), exit 0 with nothing on stdout when some is ("Not installed": ConfigMgr runs the
 * removal), exit 1 when Divest could not tell ("Unknown"). Nothing on stderr.
 */
import { configMgrDetect } from '../core/fleet/engines';
import { machineStatus } from '../core/usecases/status';
import { COMMON_FLAGS, CommonOptions, UsageError, parseCommand } from './args';
import { makeWorkspace } from './context';
import { engineCommand } from './engine-output';
import { statusLine } from './status-command';

const HELP = `divest configmgr detect [--data-dir DIR]

Detection script of the "Divest remediation" application: exit 0 and one line when no banned
software is installed, exit 0 and no output when some is (ConfigMgr then runs
"divest.exe remove --yes --exit-codes msi"), exit 1 when Divest could not tell. Nothing on stderr.
`;

/** Runs `divest configmgr ...`. */
export async function runConfigMgr(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'detect') throw new UsageError(`configmgr: unknown subcommand "${sub}" (detect)`);
  return engineCommand(out, 1, async () => {
    const { options, help } = parseCommand('configmgr detect', rest, COMMON_FLAGS, CommonOptions, {
      min: 0,
      max: 0,
      names: '',
    });
    if (help) return { line: 'divest configmgr detect [--data-dir DIR]', exitCode: 0 };
    const ws = makeWorkspace(options);
    const { verdict } = await machineStatus(ws);
    return configMgrDetect(verdict, statusLine(verdict, ws.catalog.catalog.version));
  });
}
