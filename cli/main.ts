/**
 * `divest`: the command-line face of the engine, for scripts, fleets and people at a terminal.
 *
 * Exit codes are a contract (ARCHITECTURE.md): scan/plan 0 nothing banned, 10 banned software
 * found, 1 failed, 2 usage; remove 0/20/30/2; receipt and log 0 valid / 1 invalid.
 */
import { CatalogError } from '../core/catalog/load';
import { ScanUsageError } from '../core/scan/scan';
import { UsageError } from './args';
import { runScan } from './scan-command';
import { VERSION } from './version';

const HELP = `divest ${VERSION} — find, remove and prove the removal of banned security software

Usage:
  divest scan [--json] [--evidence] [--host-root DIR] [--host-os linux|macos] [--catalog FILE] [--data-dir DIR]
  divest --help | --version

Commands:
  scan      Scan this machine (or, with --host-root, a mounted image) for banned software.
            Exit: 0 nothing banned installed, 10 banned software found, 1 scan failed, 2 usage.

Options:
  --json            Print the result as JSON (schema divest.scan/1) instead of a table.
  --evidence        In the table, list every piece of evidence under each product.
  --host-root DIR   Treat DIR as / (a mounted Linux or macOS image, or a test bed).
  --host-os OS      The OS whose layout DIR has: linux or macos (default: this machine's OS).
  --catalog FILE    Use this catalog file instead of the built-in one.
  --data-dir DIR    Where the journal, keys and state live (default per OS; see README).

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
      case 'scan':
        return await runScan(rest, out, err);
      default:
        throw new UsageError(`unknown command "${command}". Run "divest --help" for the list of commands.`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ScanUsageError) {
      err.write(`divest: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CatalogError) {
      err.write(`divest: ${e.message}\n`);
      return 1;
    }
    err.write(`divest: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
