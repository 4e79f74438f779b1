/**
 * The browser harness as its own process (for running it as another user: the no-rights walk
 * starts it as `nobody`, who may read the bed but not write its package database). Options come
 * as one JSON argument; it prints the page's URL on one line, and stops when its stdin closes.
 */
import { startHarness, type HarnessOptions } from './harness';

const options = JSON.parse(process.argv[2] ?? '{}') as HarnessOptions;
const harness = await startHarness(options);
process.stdout.write(`${JSON.stringify({ url: harness.url, origin: harness.origin })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void harness.close().then(() => process.exit(0));
});
