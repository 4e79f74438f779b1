/**
 * Identifiers and small value shapes used across the engine, each defined once.
 *
 * Everything under `core/model/` is plain data: zod schemas and the types inferred from them, no
 * I/O and no Node modules, so that the renderer, the preload, the CLI and the engine can all
 * import it (lint-enforced: see `eslint.config.js`, layer `model`).
 */
import * as z from 'zod';

/** A lower-case slug: catalog ids of products, vendors, directives and references' owners. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug (letters, digits and single dashes)');

/** A catalog product id. */
export const ProductId = Slug;

/** A removal plan's id: 16 lower-case hex digits (a hash of its steps and the scan it answers). */
export const PlanId = z.string().regex(/^[0-9a-f]{16}$/, 'must be a plan id (16 hex digits)');

/** A step of a plan: `s1`, `s2`... */
export const StepId = z.string().regex(/^s\d{1,4}$/, 'must be a step id such as s1');

/** A finding: `<product id>:<12 hex digits>`, stable for the same product at the same place. */
export const FindingId = z.string().regex(/^[a-z0-9-]+:[0-9a-f]{12}$/, 'must be a finding id');

/** A SHA-256 digest in lower-case hex. */
export const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** An Ed25519 key's fingerprint: `SHA256:` and the hex SHA-256 of the 32 raw key bytes. */
export const KeyFingerprint = z
  .string()
  .regex(/^SHA256:[0-9a-f]{64}$/, 'must be "SHA256:" and 64 lower-case hex digits');

/** An ISO 8601 time with its offset (UTC `Z` or `+hh:mm`). */
export const Timestamp = z.iso.datetime({ offset: true });
