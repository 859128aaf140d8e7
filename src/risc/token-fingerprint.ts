import { createHash } from 'node:crypto';

/**
 * How a stored refresh token can be found from a `token-revoked` event without storing it in
 * the clear or decrypting every row: Google names the token by `hash_base64_sha512_sha512`
 * (base64 of SHA-512 of SHA-512 of the token) or by `prefix` (its first 16 characters). We keep
 * the first as is, and only a SHA-256 of the second, so no column holds token characters.
 */
export interface RefreshTokenFingerprints {
  readonly sha512x2: string;
  readonly prefixSha256: string;
}

export const PREFIX_LENGTH = 16;

export function refreshTokenFingerprints(refreshToken: string): RefreshTokenFingerprints {
  return { sha512x2: doubleSha512Base64(refreshToken), prefixSha256: prefixFingerprint(refreshToken.slice(0, PREFIX_LENGTH)) };
}

export function doubleSha512Base64(token: string): string {
  const inner = createHash('sha512').update(token, 'utf8').digest();
  return createHash('sha512').update(inner).digest('base64');
}

export function prefixFingerprint(prefix: string): string {
  return createHash('sha256').update(prefix, 'utf8').digest('hex');
}
