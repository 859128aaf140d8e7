import { type DecryptError, sealedKeyId } from '../crypto/keyring.js';
import type { ApiError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Publisher } from '../publishers/catalog.js';
import type { SerenUser } from '../seren/identity.js';
import type { ConnectLinks } from './connect-links.js';

/**
 * A stored refresh token that no configured key opens: its key was removed from
 * TOKEN_ENCRYPTION_KEYS, or the row is damaged. Not Google's refusal, so the grant is not marked
 * unusable: the row stays as it is, and restoring the key heals it (SPEC §3).
 */
export class UndecryptableGrant extends Error {
  readonly keyId: string;

  constructor(
    readonly serenUserId: string,
    sealed: string,
    cause: DecryptError,
  ) {
    super(`the stored grant cannot be decrypted: ${cause.message}`);
    this.keyId = sealedKeyId(sealed);
  }
}

/**
 * The answer to an exchange whose grant cannot be decrypted: `google_reauthorization_required`
 * with a link (reconnecting replaces the row), logged at error level with the key id (the
 * operator may have removed a key too early) and counted in `sga_grant_decrypt_failures_total`.
 */
export function undecryptableAnswer(
  deps: { links: ConnectLinks; logger: Logger; metrics: Metrics },
  user: SerenUser,
  publisher: Publisher | undefined,
  grantedScopes: readonly string[],
  err: UndecryptableGrant,
): Promise<ApiError> {
  deps.metrics.grantDecryptFailures.inc({ kid: err.keyId });
  deps.logger.error(
    { seren_user_id: user.id, kid: err.keyId, reason: err.message },
    `a stored Google grant cannot be decrypted (sealed under key "${err.keyId}": is it missing from TOKEN_ENCRYPTION_KEYS, or is the row damaged?); ` +
      'answered google_reauthorization_required with a link and left the row unchanged (restoring the key heals it)',
  );
  return deps.links.reauthorizationRequired(user, publisher, grantedScopes);
}
