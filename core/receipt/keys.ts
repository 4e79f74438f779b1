/**
 * The receipt signing key: an Ed25519 key pair made on first use and kept in the data dir.
 *
 * Files: `<dataDir>/keys/receipt-signing.key` (the private key, PKCS#8 PEM, mode 0600, in a 0700
 * directory) and `<dataDir>/keys/receipt-signing.pub` (the public key, SPKI PEM, for people and
 * scripts; the app always derives the public key from the private one).
 *
 * On POSIX the private key is refused when its file grants any access to group or others: a key
 * that others can read could sign forged receipts. On Windows file modes do not apply: the data dir
 * (`%ProgramData%\Divest`) carries the protection through its ACL (administrators and SYSTEM only),
 * set when the app is installed; this module does not inspect ACLs.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  fsyncSync,
  linkSync,
  openSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { DivestError } from '../errors';
import { ensureDir } from '../fs-dirs';
import { KiB, readRegularFileSync } from '../fs/read-file';

/**
 * A loaded signing key.
 *
 * `publicKeyRaw` (32 bytes) and `fingerprint` are what a receipt carries.
 */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyRaw: Buffer;
  /** `SHA256:` + lower-case hex SHA-256 of `publicKeyRaw`. */
  fingerprint: string;
  /** The private key file. */
  file: string;
}

/**
 * The signing key exists but cannot be used safely or at all.
 *
 * The message names the file and what to do.
 */
export class SigningKeyError extends DivestError<'signing-key'> {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super('signing-key', message);
  }
}

/**
 * The private key file of a data dir.
 *
 * For messages and for the settings screen ("where is my key?").
 */
export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'receipt-signing.key');
}

/**
 * The fingerprint of a raw Ed25519 public key: `SHA256:` + lower-case hex.
 *
 * What the operator reads to the auditor and what `verifyReceipt` compares.
 */
export function fingerprintOf(publicKeyRaw: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKeyRaw).digest('hex')}`;
}

/**
 * The 32 raw bytes of an Ed25519 public key.
 *
 * Receipts carry the raw key (base64), not a DER structure.
 */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('not an Ed25519 public key');
  }
  return Buffer.from(jwk.x, 'base64url');
}

/**
 * An Ed25519 public key object from its 32 raw bytes.
 *
 * Used by verification, which only has the raw key from the receipt.
 */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new TypeError('an Ed25519 public key has 32 bytes');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

function code(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** Writes `content` to `file` only if it does not exist, atomically (no half-written key is ever seen). */
function createExclusive(file: string, content: string, mode: number): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    // No hard links on this file system: fall back to an exclusive create.
    try {
      writeFileSync(file, content, { flag: 'wx', mode });
      return true;
    } catch (e2) {
      if (code(e2) === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    unlinkSync(tmp);
  }
}

function checkPrivateKeyMode(file: string): void {
  if (process.platform === 'win32') return;
  const st = lstatSync(file);
  if (!st.isFile())
    throw new SigningKeyError(`the receipt signing key ${file} is not a regular file: refused`, file);
  // A key someone else planted (whatever its mode) would sign receipts as this machine's: the key
  // must belong to whoever runs Divest (root for the machine's data folder).
  const euid = typeof process.geteuid === 'function' ? process.geteuid() : st.uid;
  if (st.uid !== euid)
    throw new SigningKeyError(
      `the receipt signing key ${file} belongs to user id ${st.uid}, not to the user running Divest (${euid}); a key planted by another user is never used. Remove it if you did not create it, and run Divest again to make a new one.`,
      file,
    );
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SigningKeyError(
      `the receipt signing key ${file} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `anyone who can read it can forge receipts. Restrict it to its owner with: chmod 600 "${file}"`,
      file,
    );
  }
}

/**
 * Loads the receipt signing key of `dataDir`, creating it on first use.
 *
 * Two processes starting at once end up with the same key (the file is created atomically and only
 * once). Throws {@link SigningKeyError} for a key file that others can read (POSIX), that cannot be
 * read, or that is not an Ed25519 private key.
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const file = signingKeyPath(dataDir);
  const dir = join(dataDir, 'keys');
  ensureDir(dir, 0o700);

  let pem: string;
  try {
    pem = readRegularFileSync(file, { maxBytes: 64 * KiB, what: 'receipt signing key' }).toString('utf8');
  } catch (e) {
    if (code(e) === 'EACCES' || code(e) === 'EPERM') {
      throw new SigningKeyError(
        `cannot read the receipt signing key ${file} (permission denied): run Divest as the administrator who owns it`,
        file,
      );
    }
    if (code(e) !== 'ENOENT') throw e;
    const pair = generateKeyPairSync('ed25519');
    const fresh = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    createExclusive(file, fresh, 0o600);
    // Whoever won the race, use what is on disk.
    pem = readRegularFileSync(file, { maxBytes: 64 * KiB, what: 'receipt signing key' }).toString('utf8');
  }
  checkPrivateKeyMode(file);

  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(
      `the receipt signing key ${file} is not a readable private key (PKCS#8 PEM)`,
      file,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      `the receipt signing key ${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`,
      file,
    );
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = rawPublicKey(publicKey);

  const pubFile = join(dir, 'receipt-signing.pub');
  const pubPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  let current: string | null = null;
  try {
    current = readRegularFileSync(pubFile, { maxBytes: 64 * KiB, what: 'receipt public key' }).toString(
      'utf8',
    );
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
  if (current !== pubPem) {
    try {
      writeFileSync(pubFile, pubPem, { mode: 0o644 });
    } catch {
      // The public key file is a convenience; signing does not need it.
    }
  }

  return { privateKey, publicKey, publicKeyRaw, fingerprint: fingerprintOf(publicKeyRaw), file };
}

/**
 * The fingerprint of the data dir's signing key, or null when there is none yet or it cannot be
 * used (the UI says "made with the first receipt"). With `create`, the key is made if absent.
 */
export function existingKeyFingerprint(dataDir: string, options: { create?: boolean } = {}): string | null {
  if (!options.create && !existsSync(signingKeyPath(dataDir))) return null;
  try {
    return loadOrCreateSigningKey(dataDir).fingerprint;
  } catch (e) {
    if (options.create) throw e;
    return null;
  }
}
