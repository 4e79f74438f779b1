/**
 * Questions at the terminal: a yes/no, and a password typed without echo.
 *
 * Only used when standard input is a terminal; scripts pass --yes and --password-stdin instead.
 */
import readline from 'node:readline';
import { UsageError } from './args';

/** True when there is a person at a terminal to ask. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Asks a question on stderr and returns the answer line. */
export function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    });
  });
}

/** Asks for a secret; what is typed is not shown. */
export function askSecret(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    let muted = false;
    out._writeToOutput = (s: string) => {
      if (!muted) process.stderr.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** Reads standard input (for --password-stdin), refusing more than `maxBytes`. */
export async function readStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of process.stdin) {
    total += (c as Buffer).length;
    if (total > maxBytes) {
      process.stdin.destroy();
      throw new UsageError(
        `standard input holds more than ${maxBytes} bytes: that is not an uninstall password`,
      );
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
