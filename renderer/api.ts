/**
 * The renderer's only way out: `window.divest`, the bridge the preload (or, in the browser test
 * harness, the fetch bridge) exposes. Types only come from the contract; nothing runs from core/.
 */
import type { ApiError, DivestApi, Result } from '../core/api';

declare global {
  interface Window {
    divest: DivestApi;
  }
}

/** The bridge. */
export function divest(): DivestApi {
  return window.divest;
}

/** A failed result's error, or a generic one when the bridge itself is missing. */
export function errorOf<T>(r: Result<T>): ApiError | null {
  return r.ok ? null : r.error;
}

/** Words for people, per error code: the message from main follows. */
export const ERROR_TITLES: Record<ApiError['code'], string> = {
  'invalid-request': 'The request was refused',
  busy: 'Divest is busy',
  'no-admin': 'Administrator rights are needed',
  'elevation-failed': 'Administrator rights were not granted',
  'plan-changed': 'The machine changed since the plan was made',
  'not-found': 'Not found',
  'nothing-to-receipt': 'Nothing to put in a receipt yet',
  catalog: 'The catalog could not be used',
  'invalid-input': 'A file could not be used',
  'journal-locked': 'The log is in use by another Divest',
  'journal-secret': 'Divest refused to record a secret',
  'signing-key': 'The receipt signing key cannot be used',
  io: 'A file or folder could not be written',
  usage: 'This cannot be done here',
  unsupported: 'Not available here',
  transport: 'Divest’s engine did not answer',
  internal: 'Something went wrong',
};
