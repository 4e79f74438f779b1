/**
 * The CLI's one table from the engine's error codes to exit codes (the contract in the README).
 */
import type { ErrorCode } from '../core/errors';

/** Exit code for a failure of each code; `remove` keeps its own 30 for "something failed". */
export const EXIT_CODE_OF: Record<ErrorCode, number> = {
  usage: 2,
  'invalid-request': 2,
  catalog: 1,
  'invalid-input': 1,
  'nothing-to-receipt': 1,
  'no-admin': 30,
  'elevation-failed': 30,
  'plan-changed': 30,
  busy: 1,
  'not-found': 1,
  unsupported: 1,
  'journal-locked': 1,
  'journal-secret': 1,
  'signing-key': 1,
  io: 1,
  transport: 1,
  internal: 1,
};
