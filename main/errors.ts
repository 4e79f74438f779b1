/**
 * Errors that cross the app's boundary as `{ ok: false, error: { code, message } }`.
 *
 * Handlers throw {@link ApiFailure} for the cases the UI explains in its own words; `toApiError`
 * maps the engine's own error classes to codes and everything else to `internal`, with the
 * message only (never a stack: the UI shows it to people).
 */
import type { ApiError, ErrorCode } from '../core/api';
import { CatalogError } from '../core/catalog/load';
import { NothingToReceiptError } from '../core/receipt/assemble';
import { ScanUsageError } from '../core/scan/scan';

/** A failure with a code the UI knows. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** The contract's error for anything thrown by a handler. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiFailure) return { code: e.code, message: e.message };
  if (e instanceof CatalogError) return { code: 'catalog', message: e.message };
  if (e instanceof ScanUsageError) return { code: 'usage', message: e.message };
  if (e instanceof NothingToReceiptError) return { code: 'nothing-to-receipt', message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
