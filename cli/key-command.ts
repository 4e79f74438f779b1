/**
 * `divest key show [--json]`: this machine's id and receipt-key fingerprint, to pin it before
 * trusting the machine's receipts (`divest report --pins`). Makes the key when there is none.
 */
import { machineKey } from '../core/fleet/key';
import { UsageError, COMMON_FLAGS, CommonOptions, parseCommand } from './args';
import { makeWorkspace } from './context';

const HELP = `divest key show [--json] [--data-dir DIR]

Prints this machine's id and the fingerprint of the key that signs its receipts (made now if
there is none). Gather it from every machine (Ansible, Fleet, Intune) into a pins file,
"machineId,fingerprint" per line, for "divest report DIR --pins FILE".
  --json   divest.key/1: {"schema","machineId","hostname","os","fingerprint","publicKey"}
`;

/** Runs `divest key ...`. */
export async function runKey(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    out.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'show') throw new UsageError(`key: unknown subcommand "${sub}" (show)`);
  const { options, help } = parseCommand('key show', rest, COMMON_FLAGS, CommonOptions, {
    min: 0,
    max: 0,
    names: '',
  });
  if (help) {
    out.write(HELP);
    return 0;
  }
  const key = await machineKey(makeWorkspace(options));
  out.write(
    options.json
      ? `${JSON.stringify(key)}\n`
      : `Machine ${key.machineId} (${key.hostname}, ${key.os})\nReceipt key ${key.fingerprint}\nPins line: ${key.machineId},${key.fingerprint}\n`,
  );
  return 0;
}
