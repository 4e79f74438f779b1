/**
 * `divest`: the command-line face of the engine, for scripts, fleets and people at a terminal.
 *
 * Exit codes are a contract (ARCHITECTURE.md): scan/plan 0 nothing banned, 10 banned software
 * found, 1 failed, 2 usage; remove 0/20/30/2; receipt and log 0 valid / 1 invalid.
 */
import { isDivestError, messageOf } from '../core/errors';
import { UsageError } from './args';
import { EXIT_CODE_OF } from './errors';
import { VERSION } from './version';

const HELP = `divest ${VERSION}: find, remove and prove the removal of banned security software

Usage:
  divest scan [--json] [--evidence]            scan for banned software (exit 0 none, 10 found)
  divest plan [--json] [--only ID]...          the ordered removal plan and what to know first
  divest remove --yes [--only ID]... [--dry-run] [--json]
                                               remove, verify, check the replacement (exit 0/20/30/40)
  divest receipt export --out FILE.json [--html FILE.html] [--operator NAME] [--organisation NAME]
  divest receipt verify FILE.json [--fingerprint SHA256:...]      (exit 0 valid, 1 invalid)
  divest status [--json | --line]              where this machine stands: one verdict (exit 0/10/20/30/40/50)
  divest log verify [--receipt FILE] | divest log show   the journal's integrity (or against a receipt)
  divest catalog show|verify|import|diff|trust-agency   the active catalog, signed catalog updates
  divest fleet osquery|fleet-gitops|intune|configmgr|ansible --out DIR   files for fleet engines, from the catalog
  divest report DIR [--pins FILE] [--catalog-min V] [--max-age-days N]  verify a fleet's receipts (exit 0/10/1)
  divest key show [--json]                     this machine's id and receipt-key fingerprint (for --pins)
  divest intune detect|remediate, divest configmgr detect   what Intune and ConfigMgr run (one line, no stderr)
  divest COMMAND --help                        options of one command

Common options:
  --host-root DIR   Treat DIR as / (a mounted Linux or macOS image, or a test bed).
  --host-os OS      The OS whose layout DIR has: linux or macos (default: this machine's OS).
  --catalog FILE    Use this signed catalog release (an unsigned file only with --unsigned-catalog).
  --data-dir DIR    Where the journal, signing key and logs live (default: %ProgramData%\\Divest,
                    /Library/Application Support/Divest, /var/lib/divest as root, else ~/.local/state/divest).

Exit codes: 0 ok, 1 failed, 2 usage; scan/plan 10 banned software found; remove 20 restart needed,
30 not done, 40 removed but unprotected (see each command's --help).
Divest never uses the network. Every finding lists its evidence; every claim in the catalog its source.
`;

/** Runs the CLI; returns the exit code. Output goes to the given streams. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out.write(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
      case '-v':
        out.write(`${VERSION}\n`);
        return 0;
      // Commands load on demand: a scan does not pay for removal, receipt or log code.
      case 'scan':
        return await (await import('./scan-command')).runScan(rest, out, err);
      case 'plan':
        return await (await import('./plan-command')).runPlan(rest, out, err);
      case 'remove':
        // The desktop app's elevated helper (cli/helper-command.ts, core/helper/): its own protocol on stdin/stdout.
        if (rest[0] === '--helper')
          return await (
            await import('./helper-command')
          ).runHelperCommand(
            rest.slice(1),
            { stdin: process.stdin, stdout: process.stdout, stderr: err },
            undefined,
            VERSION,
          );
        return await (await import('./remove-command')).runRemove(rest, out, err);
      case 'receipt':
        return await (await import('./receipt-command')).runReceipt(rest, out, err);
      case 'log':
        return await (await import('./log-command')).runLog(rest, out);
      case 'status':
        return await (await import('./status-command')).runStatus(rest, out, err);
      case 'catalog':
        return await (await import('./catalog-command')).runCatalog(rest, out, err);
      case 'fleet':
        return await (await import('./fleet-command')).runFleet(rest, out);
      case 'report':
        return await (await import('./report-command')).runReport(rest, out);
      case '__report-worker': // a verification thread of `divest report` (cli/report-pool.ts)
        return await (await import('./report-worker')).runReportWorker();
      case 'key':
        return await (await import('./key-command')).runKey(rest, out);
      case 'intune':
        return await (await import('./intune-command')).runIntune(rest, out);
      case 'configmgr':
        return await (await import('./configmgr-command')).runConfigMgr(rest, out);
      default:
        throw new UsageError(`unknown command "${command}". Run "divest --help" for the list of commands.`);
    }
  } catch (e) {
    if (isDivestError(e) && e.code !== 'internal') {
      err.write(`divest: ${e.message}\n`);
      return EXIT_CODE_OF[e.code];
    }
    // Anything else: say what failed, in one line; the stack only when asked for.
    err.write(`divest: ${command ?? ''} failed: ${messageOf(e)}\n`);
    if (process.env.DIVEST_DEBUG) err.write(`${(e as Error).stack ?? ''}\n`);
    else err.write('divest: (set DIVEST_DEBUG=1 to see where it failed)\n');
    return 1;
  }
}
