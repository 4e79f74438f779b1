/**
 * One live progress line on stderr, rewritten in place ("Scanning: 2 of 4 parts…", "Step 1 of 2:
 * … running for 45 s of 10 min 00 s allowed"). Only at a terminal: never when stderr is a file or
 * a pipe, and never with --json, so logs and machine output stay clean.
 */
import { RAW_WRITE, field } from './safe-output';

/** A progress line, or a silent stand-in where there is no terminal. */
export interface ProgressLine {
  /** Shows `text` in place of the previous one. */
  update(text: string): void;
  /** Removes the line (before other output, and at the end). */
  clear(): void;
}

const SILENT: ProgressLine = { update: () => undefined, clear: () => undefined };

/** A progress line on `err` when it is a terminal and the output is not JSON. */
export function progressLine(err: NodeJS.WritableStream, options: { json: boolean }): ProgressLine {
  const tty = err as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  if (options.json || tty.isTTY !== true) return SILENT;
  let shown = false;
  const raw = (text: string): void => {
    const w = (err as unknown as Record<symbol, ((t: string) => boolean) | undefined>)[RAW_WRITE];
    if (w) w(text);
    else err.write(text);
  };
  return {
    update(text) {
      const width = Math.max(20, (tty.columns ?? 100) - 1);
      const line = field(text);
      raw(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    clear() {
      if (shown) raw('\r\x1b[K');
      shown = false;
    },
  };
}
