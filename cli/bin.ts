/**
 * Entry point of the bundled `divest` executable (out/cli/divest.cjs).
 */
import { main } from './main';

main(process.argv.slice(2), process.stdout, process.stderr).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`divest: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
