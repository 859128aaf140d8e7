import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An unguessable opaque value (256 bits, base64url). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time string comparison; hashing first makes unequal lengths safe too. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
