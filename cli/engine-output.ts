/**
 * How the management-engine commands (`divest intune ...`, `divest configmgr ...`) talk: exactly
 * one line on stdout (or none, when the engine's convention needs an empty output) and NOTHING on
 * stderr, errors included: Intune treats stderr as a script error and keeps only the last line;
 * ConfigMgr reads stdout and the exit code. Node's own warnings are silenced for these commands.
 */
import { messageOf } from '../core/errors';
import { errorLine, type EngineReply } from '../core/fleet/engines';

/** Runs an engine command: its reply, or an error line on stdout with `errorExit`. */
export async function engineCommand(
  out: NodeJS.WritableStream,
  errorExit: number,
  run: () => Promise<EngineReply>,
): Promise<number> {
  process.removeAllListeners('warning');
  process.on('warning', () => undefined);
  let reply: EngineReply;
  try {
    reply = await run();
  } catch (e) {
    reply = { line: errorLine(messageOf(e)), exitCode: errorExit };
  }
  if (reply.line) out.write(`${reply.line}\n`);
  return reply.exitCode;
}
