import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One encryption key: `kid:base64(32 bytes)` in TOKEN_ENCRYPTION_KEYS. */
export interface KeySpec {
  readonly kid: string;
  readonly key: Buffer;
}

/** A value sealed for one Seren user. Only Keyring.seal makes one; only Keyring.open reads one. */
export type Sealed = string & { readonly __sealed: unique symbol };

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Parses `kid:base64,kid:base64`; throws a readable Error on the first bad entry. */
export function parseKeySpecs(value: string): KeySpec[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('expected at least one kid:base64 key');
  const specs = entries.map((entry, i) => {
    const sep = entry.indexOf(':');
    const kid = entry.slice(0, sep);
    if (sep < 0 || !KID.test(kid)) throw new Error(`entry ${i + 1} must look like kid:base64 (kid: letters, digits, _ or -)`);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new Error(`key "${kid}" must be 32 bytes of base64 (got ${key.length} bytes)`);
    return { kid, key };
  });
  const kids = specs.map((s) => s.kid);
  const repeated = kids.find((k, i) => kids.indexOf(k) !== i);
  if (repeated) throw new Error(`key id "${repeated}" appears twice`);
  return specs;
}

/** A key id that says when the key was made and cannot collide with another made that day: `k20260131-3f9c0a1b`. */
export const defaultKid = () => `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;

export function generateKeySpec(kid = defaultKid()): string {
  return `${kid}:${randomBytes(32).toString('base64')}`;
}

export class DecryptError extends Error {}

/** The key id a sealed value names (`unknown` when it names none that could be one), for logs and metrics. */
export function sealedKeyId(sealed: string): string {
  const kid = sealed.split('.')[1];
  return kid !== undefined && KID.test(kid) ? kid : 'unknown';
}

/**
 * AES-256-GCM with a random IV per value; the key id travels in the ciphertext and the owning
 * seren_user_id is the additional authenticated data, so a value moved to another user's row
 * fails to open. Format: `v1.<kid>.<iv>.<ciphertext+tag>` (base64url).
 */
export class Keyring {
  private readonly byKid: ReadonlyMap<string, Buffer>;
  readonly primaryKid: string;

  constructor(specs: readonly KeySpec[]) {
    if (specs.length === 0) throw new Error('a keyring needs at least one key');
    this.byKid = new Map(specs.map((s) => [s.kid, s.key]));
    this.primaryKid = specs[0]!.kid;
  }

  seal(plaintext: string, owner: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.byKid.get(this.primaryKid)!, iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${this.primaryKid}.${iv.toString('base64url')}.${body.toString('base64url')}` as Sealed;
  }

  open(sealed: Sealed | string, owner: string): string {
    const [format, kid, ivText, bodyText] = sealed.split('.');
    const key = kid === undefined ? undefined : this.byKid.get(kid);
    if (format !== FORMAT || !key || !ivText || !bodyText) {
      throw new DecryptError(key || format !== FORMAT ? 'malformed ciphertext' : `no key "${kid}" in TOKEN_ENCRYPTION_KEYS`);
    }
    const body = Buffer.from(bodyText, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
      decipher.setAAD(Buffer.from(owner, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptError('ciphertext does not authenticate (wrong key or wrong owner)');
    }
  }

  /** True when the value is sealed under a key other than the primary one. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.primaryKid;
  }
}
