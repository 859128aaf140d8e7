import { recordAudit } from '../audit/audit.js';
import type { Config } from '../config/config.js';
import type { Database, Queryable } from '../db/database.js';

/**
 * The OpenID provider and OAuth client a database's grants belong to (SPEC §2). A refresh token
 * works only with the client that obtained it, so an instance configured for another client
 * must never refresh, revoke or mark those grants.
 */
export interface Binding {
  readonly issuer: string;
  readonly clientId: string;
}

/** Dev mode's emulated Google is an issuer of its own, whatever PORT or PUBLIC_URL serves it. */
export const EMULATED_GOOGLE_ISSUER = 'urn:seren-google-auth:emulated-google';

export const REBIND_COMMAND = 'seren-google-auth installation rebind';

export function bindingOf(config: Pick<Config, 'google'>): Binding {
  return { issuer: config.google.issuer ?? EMULATED_GOOGLE_ISSUER, clientId: config.google.clientId };
}

export const describeBinding = (b: Binding) =>
  `issuer ${b.issuer === EMULATED_GOOGLE_ISSUER ? `${b.issuer} (dev mode's emulated Google)` : b.issuer}, client id ${b.clientId}`;

const sameBinding = (a: Binding, b: Binding) => a.issuer === b.issuer && a.clientId === b.clientId;

/** A start refused because the database's grants belong to another Google client. */
export class BindingMismatchError extends Error {
  constructor(
    readonly recorded: Binding,
    readonly configured: Binding,
    readonly grants: number,
  ) {
    super(
      `This database's Google grants belong to ${describeBinding(recorded)}, but this instance is configured for ` +
        `${describeBinding(configured)}. It holds ${grants} grant(s) or pending revocation(s) that the configured client ` +
        'can neither refresh nor revoke, so this instance will not start. If the database or the Google settings are wrong, ' +
        `fix DATABASE_URL / DATA_DIR or GOOGLE_ISSUER / GOOGLE_CLIENT_ID. If the Google client changed on purpose, run \`${REBIND_COMMAND}\` ` +
        '(existing grants will be marked reauthorization_required).',
    );
    this.name = 'BindingMismatchError';
  }
}

// Any constant shared by every instance: starters and the re-bind command queue on it.
const BINDING_LOCK = 7_406_611_043;

async function recordedBinding(q: Queryable): Promise<Binding | undefined> {
  const [row] = await q.query<{ google_issuer: string; google_client_id: string }>(
    'SELECT google_issuer, google_client_id FROM installation_binding',
  );
  return row && { issuer: row.google_issuer, clientId: row.google_client_id };
}

/** Grants and pending revocations: every stored refresh token that belongs to the bound client. */
async function storedTokens(q: Queryable): Promise<{ grants: number; activeGrants: number; pendingRevocations: number }> {
  const [row] = await q.query<{ grants: number; active: number; pending: number }>(
    `SELECT (SELECT COUNT(*)::int FROM user_google_tokens) AS grants,
            (SELECT COUNT(*)::int FROM user_google_tokens WHERE status = 'active') AS active,
            (SELECT COUNT(*)::int FROM pending_revocations) AS pending`,
  );
  return { grants: row?.grants ?? 0, activeGrants: row?.active ?? 0, pendingRevocations: row?.pending ?? 0 };
}

async function write(q: Queryable, b: Binding): Promise<void> {
  await q.query(
    `INSERT INTO installation_binding (google_issuer, google_client_id) VALUES ($1, $2)
       ON CONFLICT (singleton) DO UPDATE SET google_issuer = $1, google_client_id = $2, bound_at = NOW()`,
    [b.issuer, b.clientId],
  );
}

/**
 * Run at every start, before anything can touch a grant: records the binding of an unbound
 * database, accepts a matching one, and refuses (BindingMismatchError) another client while the
 * database holds any grant or pending revocation. A database without any takes the new binding.
 */
export async function enforceBinding(db: Database, configured: Binding): Promise<'recorded' | 'matches' | 'rebound_empty'> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BINDING_LOCK]);
    const recorded = await recordedBinding(tx);
    if (recorded && sameBinding(recorded, configured)) return 'matches';
    if (recorded) {
      const stored = await storedTokens(tx);
      const total = stored.grants + stored.pendingRevocations;
      if (total > 0) throw new BindingMismatchError(recorded, configured, total);
    }
    await write(tx, configured);
    await recordAudit(tx, 'installation.bound', null, { issuer: configured.issuer, client_id: configured.clientId, previous_issuer: recorded?.issuer ?? null, previous_client_id: recorded?.clientId ?? null });
    return recorded ? 'rebound_empty' : 'recorded';
  });
}

/** What a re-bind would change, for the operator to confirm. */
export interface RebindPlan {
  recorded: Binding | undefined;
  configured: Binding;
  /** Nothing to do: the database is already bound to the configured client. */
  unchanged: boolean;
  activeGrants: number;
  pendingRevocations: number;
}

export async function planRebind(db: Queryable, configured: Binding): Promise<RebindPlan> {
  const recorded = await recordedBinding(db);
  const stored = await storedTokens(db);
  const unchanged = recorded !== undefined && sameBinding(recorded, configured);
  // An unbound database is simply recorded (as the first start would): its grants are not touched.
  const touches = recorded !== undefined && !unchanged;
  return {
    recorded,
    configured,
    unchanged,
    activeGrants: touches ? stored.activeGrants : 0,
    pendingRevocations: touches ? stored.pendingRevocations : 0,
  };
}

/**
 * Binds the database to the configured client (the explicit, confirmed operator action of SPEC
 * §2). Grants of the previous client cannot be refreshed by the new one: they are marked
 * reauthorization_required (their cached access tokens dropped), so each user is asked to
 * reconnect. Pending revocations are dropped: their tokens must not be sent to another client.
 */
export async function rebind(db: Database, configured: Binding): Promise<{ marked: number; droppedRevocations: number }> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BINDING_LOCK]);
    const recorded = await recordedBinding(tx);
    if (recorded && sameBinding(recorded, configured)) return { marked: 0, droppedRevocations: 0 };
    let marked = 0;
    let droppedRevocations = 0;
    if (recorded) {
      marked = (
        await tx.query(
          `UPDATE user_google_tokens SET status = 'reauthorization_required', access_token_encrypted = NULL,
              access_token_expires_at = NULL, refresh_lease_owner = NULL, refresh_lease_until = NULL, updated_at = NOW()
            WHERE status = 'active' RETURNING id`,
        )
      ).length;
      droppedRevocations = (await tx.query('DELETE FROM pending_revocations RETURNING id')).length;
    }
    await write(tx, configured);
    await recordAudit(tx, recorded ? 'installation.rebound' : 'installation.bound', null, {
      issuer: configured.issuer,
      client_id: configured.clientId,
      previous_issuer: recorded?.issuer ?? null,
      previous_client_id: recorded?.clientId ?? null,
      grants_marked: marked,
      revocations_dropped: droppedRevocations,
    });
    return { marked, droppedRevocations };
  });
}
