/**
 * Entry point of the bundled `divest` executable (out/cli/divest.cjs).
 */
import { main } from './main';
import { safeStream } from './safe-output';

main(process.argv.slice(2), safeStream(process.stdout), safeStream(process.stderr)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`divest: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
