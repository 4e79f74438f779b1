/**
 * The app's one table from the engine's errors to the contract's `{ code, message }`.
 *
 * A {@link DivestError} keeps its code (the contract's codes are the engine's, `core/errors.ts`);
 * anything else is a bug and reaches the UI as `internal`, with its message only (never a stack).
 */
import type { ApiError } from '../core/api';
import { isDivestError, messageOf } from '../core/errors';

/** The contract's error for anything thrown by a handler. */
export function toApiError(e: unknown): ApiError {
  if (isDivestError(e)) return { code: e.code, message: e.message };
  return { code: 'internal', message: messageOf(e) };
}
