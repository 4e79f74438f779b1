/**
 * The machine verdict: the one answer to "where does this machine stand?", computed once
 * (`core/verdict.ts`) from the journal, the latest scan and the replacement check, and shown the
 * same way by the CLI's exit codes, `divest status`, the app's header and screens, and the
 * receipt's headline. Nothing else composes its own.
 */
import * as z from 'zod';
import { ReplacementState } from './verify';

/**
 * - `not-scanned`: nothing is known yet.
 * - `could-not-look`: nothing banned was seen, but some places could not be inspected.
 * - `clean`: nothing banned is installed and the machine is protected.
 * - `unprotected`: nothing banned is installed, but no replacement antivirus is active.
 * - `banned-present`: banned software is installed and no removal has run.
 * - `removal-incomplete`: a removal was interrupted, failed, was stopped, or left products behind.
 * - `restart-pending`: an uninstaller needs a restart to finish.
 * - `removed-unprotected`: the removal finished and verified, but no replacement is active.
 * - `removed`: the removal finished, verified, and the machine is protected.
 */
export const VerdictState = z.enum([
  'not-scanned',
  'could-not-look',
  'clean',
  'unprotected',
  'banned-present',
  'removal-incomplete',
  'restart-pending',
  'removed-unprotected',
  'removed',
]);
export type VerdictState = z.infer<typeof VerdictState>;

/** One status word per machine for fleet engines (osquery, Intune, ConfigMgr, Ansible, reports). */
export const FleetStatus = z.enum([
  'clean',
  'banned',
  'restart-pending',
  'needs-credential',
  'failed',
  'unprotected',
  'unverifiable',
  'not-scanned',
]);
export type FleetStatus = z.infer<typeof FleetStatus>;

/** A banned product still installed, by its name as installed (never an internal id alone). */
export const StillInstalled = z.strictObject({
  productId: z.string(),
  name: z.string(),
  version: z.string().optional(),
});
export type StillInstalled = z.infer<typeof StillInstalled>;

/** Where the removal stopped, in words a person understands. */
export const StoppedAt = z.strictObject({
  stepId: z.string(),
  /** The step's title ("Remove Kaspersky Endpoint Security for Linux 12.0 (dpkg purge: kesl)"). */
  title: z.string(),
  /** The product's name as installed. */
  productName: z.string(),
  /** 1-based position of the step in the plan, and the plan's length. */
  position: z.number().int().positive(),
  of: z.number().int().positive(),
  /** When the step started (ISO time). */
  at: z.string(),
  /** What happened to it: interrupted (never finished), failed, timed out, skipped (manual), cancelled. */
  how: z.enum(['interrupted', 'failed', 'timed-out', 'not-done', 'cancelled']),
  /** The step's own message when it finished. */
  message: z.string().optional(),
});
export type StoppedAt = z.infer<typeof StoppedAt>;

export const Verdict = z.strictObject({
  state: VerdictState,
  fleetStatus: FleetStatus,
  /** One sentence: the first line of every face (receipt page 1, app header, CLI). */
  headline: z.string(),
  /** Further sentences, most important first. */
  details: z.array(z.string()),
  /** Banned products installed according to the scan the verdict is based on. */
  stillInstalled: z.array(StillInstalled),
  /** Leftovers (traces) of banned products after removal. */
  leftovers: z.number().int().nonnegative(),
  protection: z.strictObject({
    state: z.union([ReplacementState, z.literal('not-checked')]),
    product: z.string().optional(),
  }),
  /** The removal plan this verdict is about, if any. */
  plan: z
    .strictObject({
      id: z.string(),
      stoppedAt: StoppedAt.optional(),
      /** A password-protected product refused to uninstall without its password. */
      needsCredential: z.boolean(),
    })
    .optional(),
  /** Places the scan could not inspect (a clean verdict is then impossible). */
  blind: z.array(z.string()),
  /** What the verdict is based on: the scan (its time), and whether that scan follows the removal. */
  basedOn: z.strictObject({
    scanAt: z.string().nullable(),
    replacementAt: z.string().nullable(),
  }),
});
export type Verdict = z.infer<typeof Verdict>;

/** `divest status` exit codes (and `remove`'s, for the states a removal ends in). */
export const VERDICT_EXIT_CODES: Record<VerdictState, number> = {
  clean: 0,
  removed: 0,
  'banned-present': 10,
  'restart-pending': 20,
  'removal-incomplete': 30,
  'removed-unprotected': 40,
  unprotected: 40,
  'could-not-look': 50,
  'not-scanned': 50,
};
