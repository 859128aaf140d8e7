import { readFileSync } from 'node:fs';
import { SignJWT, importPKCS8 } from 'jose';

/** The fields of a Google service-account key file (JSON) that the RISC API's authorization needs. */
export interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKeyId: string;
  readonly privateKey: string;
}

/** A key file that cannot be used; the message names the file and says what to do. */
export class ServiceAccountKeyError extends Error {}

/** Google's documented audience path for RISC API bearer JWTs, on the API's own origin. */
export const RISC_MANAGEMENT_SERVICE = 'google.identity.risc.v1beta.RiscManagementService';

/** Reads and checks a key file as the Google Cloud console downloads it ("Create key → JSON"). */
export function readServiceAccountKey(path: string): ServiceAccountKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ServiceAccountKeyError(`RISC_SERVICE_ACCOUNT_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ServiceAccountKeyError(`RISC_SERVICE_ACCOUNT_FILE: ${path} is not JSON; download a JSON key of the service account from the Google Cloud console`);
  }
  const missing = ['client_email', 'private_key_id', 'private_key'].filter((f) => typeof json?.[f] !== 'string' || json[f] === '');
  if (json?.type !== 'service_account' || missing.length > 0) {
    throw new ServiceAccountKeyError(
      `RISC_SERVICE_ACCOUNT_FILE: ${path} is not a service-account key` +
        (missing.length ? ` (missing ${missing.join(', ')})` : ' ("type" is not "service_account")') +
        '; create a JSON key for a service account with the RISC Configuration Admin role',
    );
  }
  return { clientEmail: json.client_email as string, privateKeyId: json.private_key_id as string, privateKey: json.private_key as string };
}

/**
 * The RISC API's bearer token as Google documents it: a JWT signed with the service account's
 * private key (RS256, `kid` = its key id), `iss` = `sub` = its email, `aud` = the management
 * service on the API's origin (`https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService`
 * at Google), valid for exactly one hour.
 */
export async function serviceAccountBearer(key: ServiceAccountKey, apiOrigin: string, nowMs: number): Promise<string> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(key.privateKey, 'RS256');
  } catch {
    throw new ServiceAccountKeyError('RISC_SERVICE_ACCOUNT_FILE: its private_key is not a PKCS#8 RSA key; download a fresh JSON key from the Google Cloud console');
  }
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.privateKeyId, typ: 'JWT' })
    .setIssuer(key.clientEmail)
    .setSubject(key.clientEmail)
    .setAudience(`${new URL(apiOrigin).origin}/${RISC_MANAGEMENT_SERVICE}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(privateKey);
}
