/**
 * Why a catalog release was refused: one stable reason code (for tests, the app and scripts) and
 * one sentence for people. Every check in this folder throws a {@link ReleaseRefused}.
 */
import { DivestError } from '../../errors';

export const REFUSAL_REASONS = [
  /** The file is not a regular file, cannot be read, or is larger than the cap. */
  'unreadable',
  'too-large',
  /** Not UTF-8, not JSON, a duplicated key, or not a DSSE envelope. */
  'malformed',
  'duplicate-key',
  'payload-type',
  /** A signature that names a trusted key does not verify (altered payload, moved signature). */
  'bad-signature',
  /** Signed by no key the root delegates for this channel. */
  'untrusted-key',
  'threshold',
  /** A key signed a channel its role does not allow (publisher on agency, agency on publisher). */
  'cross-role',
  'countersignature',
  'rotation',
  'root-expired',
  'expired',
  'future',
  'app-too-old',
  /** The payload's metadata or catalog does not pass its schema. */
  'invalid',
  'overlay',
  'rollback',
  'fork',
  'weakening',
  'unknown-agency',
  /** The data folder's catalog state does not add up (files swapped, roots missing). */
  'state',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A release Divest will not use; `message` names the file and the reason. */
export class ReleaseRefused extends DivestError<'catalog'> {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super('catalog', message);
    this.name = 'ReleaseRefused';
  }
}

/** Throws a refusal. */
export function refuse(reason: RefusalReason, message: string, problems: readonly string[] = []): never {
  throw new ReleaseRefused(reason, message, problems);
}
