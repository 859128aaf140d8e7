/**
 * The one migration set (SPEC §7), applied in order at start and by `seren-google-auth migrate`.
 * Append new entries; never edit one that has shipped.
 */
export const MIGRATIONS: ReadonlyArray<{ id: string; sql: string }> = [
  {
    id: '001_initial',
    sql: `
      -- One Google grant per Seren user. Every *_encrypted column is a Keyring-sealed value whose
      -- additional authenticated data is seren_user_id.
      CREATE TABLE user_google_tokens (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        seren_user_id TEXT NOT NULL UNIQUE,
        refresh_token_encrypted TEXT NOT NULL,
        scopes TEXT[] NOT NULL,                    -- scopes Google granted
        google_sub TEXT NOT NULL,
        google_email TEXT,
        status TEXT NOT NULL DEFAULT 'active'
          CHECK (status IN ('active', 'reauthorization_required')),
        access_token_encrypted TEXT,               -- shared cache: every instance reuses it
        access_token_expires_at TIMESTAMPTZ,
        refresh_lease_owner TEXT,                  -- single-flight refresh across instances
        refresh_lease_until TIMESTAMPTZ,
        connected_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        last_refreshed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ DEFAULT NOW(),
        updated_at TIMESTAMPTZ DEFAULT NOW()
      );
      CREATE INDEX user_google_tokens_google_sub ON user_google_tokens (google_sub);

      -- One-time links (SPEC §3): only a SHA-256 of the token is kept.
      CREATE TABLE connect_tokens (
        token_hash TEXT PRIMARY KEY,
        seren_user_id TEXT NOT NULL,
        scopes TEXT[] NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        consumed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX connect_tokens_expires_at ON connect_tokens (expires_at);

      -- OAuth transactions between POST /auth/google and the callback (SPEC §4).
      CREATE TABLE oauth_flows (
        state_hash TEXT PRIMARY KEY,
        browser_hash TEXT NOT NULL,                -- SHA-256 of the flow cookie
        seren_user_id TEXT NOT NULL,
        secrets_encrypted TEXT NOT NULL,           -- PKCE verifier and nonce, sealed
        requested_scopes TEXT[] NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        consumed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX oauth_flows_expires_at ON oauth_flows (expires_at);

      -- Revocations at Google that could not be done at once (SPEC §3 DELETE /token/revoke).
      CREATE TABLE pending_revocations (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        seren_user_id TEXT NOT NULL,               -- owner bound into token_encrypted
        token_encrypted TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL,
        give_up_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );

      -- Audit trail, closed vocabulary of <entity>.<verb> events; never a secret in detail.
      CREATE TABLE audit_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event TEXT NOT NULL,
        seren_user_id TEXT,
        detail JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX audit_events_user ON audit_events (seren_user_id, created_at);
    `,
  },
  {
    id: '002_connect_flow',
    sql: `
      -- What the confirmation page shows about the Seren account a link connects (SPEC §4, §5),
      -- captured from the identity service when the link is issued (never the API key).
      ALTER TABLE connect_tokens ADD COLUMN seren_email TEXT, ADD COLUMN seren_name TEXT;
      ALTER TABLE oauth_flows ADD COLUMN seren_email TEXT, ADD COLUMN seren_name TEXT;
    `,
  },
  {
    id: '003_token_exchange',
    sql: `
      -- The Google account of a pending revocation: a background retry must not revoke a grant
      -- that an active connection (any Seren user, the same one reconnected included) uses again.
      ALTER TABLE pending_revocations ADD COLUMN google_sub TEXT;
      CREATE INDEX pending_revocations_due ON pending_revocations (next_attempt_at);
    `,
  },
  {
    id: '004_hardening',
    sql: `
      -- Connect tokens are bounded per user (SPEC §3): a repeated answer hands out the same live
      -- link again, so the token is also kept sealed (AAD = seren_user_id) to be reused.
      -- google_sub/google_email pin a link issued while the user was connected to that Google
      -- account: only that account may complete it (SPEC §4).
      ALTER TABLE connect_tokens ADD COLUMN token_sealed TEXT, ADD COLUMN google_sub TEXT, ADD COLUMN google_email TEXT;
      CREATE INDEX connect_tokens_user ON connect_tokens (seren_user_id, expires_at);
      ALTER TABLE oauth_flows ADD COLUMN google_sub TEXT, ADD COLUMN google_email TEXT;
      -- AUDIT_RETENTION_DAYS purges by age.
      CREATE INDEX audit_events_created_at ON audit_events (created_at);
    `,
  },
  {
    id: '005_refresh_token_version',
    sql: `
      -- Which refresh token a row holds, independent of how it is sealed: a new value whenever the
      -- token itself changes (connect with a new token, Google rotating it), never when keys rotate
      -- re-seals it. The save after a refresh is guarded on it ("still the token we refreshed with").
      ALTER TABLE user_google_tokens ADD COLUMN refresh_token_version UUID NOT NULL DEFAULT gen_random_uuid();
    `,
  },
  {
    id: '006_installation_binding',
    sql: `
      -- The Google issuer and OAuth client this database's grants belong to (SPEC §2): refresh
      -- tokens only work with the client that obtained them. One row, written by the first start.
      CREATE TABLE installation_binding (
        singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
        google_issuer TEXT NOT NULL,
        google_client_id TEXT NOT NULL,
        bound_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
    `,
  },
  {
    id: '007_cross_account_protection',
    sql: `
      -- Google's Cross-Account Protection (SPEC §11). A token-revoked event names a refresh token
      -- by base64(SHA-512(SHA-512(token))) or by its first 16 characters: keep the first, and only
      -- a SHA-256 of the second, so a grant is found without decrypting every row.
      ALTER TABLE user_google_tokens
        ADD COLUMN refresh_token_sha512x2 TEXT,
        ADD COLUMN refresh_token_prefix_sha256 TEXT;
      CREATE INDEX user_google_tokens_rt_sha512x2 ON user_google_tokens (refresh_token_sha512x2);
      CREATE INDEX user_google_tokens_rt_prefix ON user_google_tokens (refresh_token_prefix_sha256);

      -- A fingerprint must never describe a token that is no longer stored: a new refresh token
      -- (a new refresh_token_version; re-sealing under another key keeps it) written without its
      -- fingerprints clears them (they are then computed again from the stored token when an
      -- event needs them).
      CREATE FUNCTION forget_stale_refresh_token_fingerprints() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.refresh_token_version IS DISTINCT FROM OLD.refresh_token_version
           AND NEW.refresh_token_sha512x2 IS NOT DISTINCT FROM OLD.refresh_token_sha512x2 THEN
          NEW.refresh_token_sha512x2 := NULL;
          NEW.refresh_token_prefix_sha256 := NULL;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER user_google_tokens_fingerprints BEFORE UPDATE ON user_google_tokens
        FOR EACH ROW EXECUTE FUNCTION forget_stale_refresh_token_fingerprints();

      -- Security Event Tokens received: the jti replay store (kept two days; older SETs are
      -- refused anyway) and what each said. No token material.
      CREATE TABLE risc_received_sets (
        issuer TEXT NOT NULL,
        jti TEXT NOT NULL,
        event_types TEXT[] NOT NULL,
        verification_state TEXT,
        received_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (issuer, jti)
      );
      CREATE INDEX risc_received_sets_received_at ON risc_received_sets (received_at);
      CREATE INDEX risc_received_sets_verification ON risc_received_sets (verification_state)
        WHERE verification_state IS NOT NULL;
    `,
  },
  {
    id: '008_google_backoff',
    sql: `
      -- SPEC §3: when Google asks to back off (429/503 with Retry-After), no instance calls its
      -- token endpoint before "until"; each refresh reads this with its lease.
      CREATE TABLE google_backoff (
        endpoint TEXT PRIMARY KEY,
        until TIMESTAMPTZ NOT NULL
      );
    `,
  },
];
