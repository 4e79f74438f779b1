/**
 * The removal helper's entry as main/index.ts runs it (`--divest-remove-worker FILE`), without
 * Electron: lets tests run the real helper process through the real file protocol.
 */
import { WORKER_FLAG, runRemoveWorker } from '../../main/remove-worker';

const i = process.argv.indexOf(WORKER_FLAG);
const file = i >= 0 ? process.argv[i + 1] : undefined;
if (!file) process.exit(2);
runRemoveWorker(file).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
