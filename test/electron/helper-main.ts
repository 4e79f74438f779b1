/**
 * The elevated helper as the CLI runs it (`divest remove --helper ...`), but on a test bed: the
 * bed and the helper's data folder come from THIS process's own command line, set by the test
 * (root) when it starts the helper, never from the app or its channel. Everything after `--` is
 * the helper's real command line, parsed and run by the same code as the CLI's
 * (main/helper/command.ts), with the data folder checked by the same rule (root's, no symlink).
 *
 *   node --import tsx test/electron/helper-main.ts --test-host-root BED --test-data-dir DIR -- \
 *     remove --helper --plan-id ID --channel stdio
 */
import { NodeCommandRunner } from '../../core/host/runner';
import { loadBuiltInCatalog } from '../../core/catalog/load';
import { runHelperCommand } from '../../cli/helper-command';
import { securePosixDataDir } from '../../core/helper/trusted';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep >= 0 ? argv.slice(0, sep) : [];
const helper = sep >= 0 ? argv.slice(sep + 1) : argv;
const value = (flag: string): string | undefined => {
  const i = own.indexOf(flag);
  return i >= 0 ? own[i + 1] : undefined;
};
const hostRoot = value('--test-host-root');
const dataDir = value('--test-data-dir');
if (!hostRoot || !dataDir || helper[0] !== 'remove' || helper[1] !== '--helper') {
  process.stderr.write('helper-main: --test-host-root BED --test-data-dir DIR -- remove --helper ...\n');
  process.exit(2);
}
runHelperCommand(
  helper.slice(2),
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  async () => {
    securePosixDataDir(dataDir);
    return {
      dataDir,
      catalog: loadBuiltInCatalog(),
      runner: new NodeCommandRunner(),
      appVersion: '0.0.0-test',
      hostRoot,
      hostOs: 'linux',
      allowImageScriptsOnHost: true,
    };
  },
).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`helper-main: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
