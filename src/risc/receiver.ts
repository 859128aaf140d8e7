import type { Counter } from 'prom-client';
import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { announceGrantsChanged } from '../tokens/grant-invalidation.js';
import { RISC_EVENTS } from './event-types.js';
import { type RiscEvent, parseEvents } from './events.js';
import type { RiscStore } from './risc-store.js';
import { SetRejected, type VerifiedSet, checkSetHeader, verifySet } from './set-verifier.js';
import type { Transmitter } from './transmitter.js';

/** What became of one event. */
export type EventResult = 'applied' | 'no_matching_grant' | 'recorded' | 'ignored';

interface Handled {
  event: RiscEvent;
  result: EventResult;
  serenUserIds: string[];
}

export interface RiscReceiverDeps {
  db: Database;
  store: RiscStore;
  transmitter: Transmitter;
  clock: Clock;
  logger: Logger;
  counter: Counter<'type' | 'result'>;
  /** Our Google client id: the SETs' audience. */
  audience: string;
  /** The OpenID issuer whose subjects our grants store (an event about another issuer's subject matches nothing). */
  oidcIssuer: string;
  /** Drops this instance's in-memory copy of a grant. */
  forget(serenUserId: string): void;
}

const withoutSlash = (s: string) => s.replace(/\/+$/, '');

/**
 * Receives one pushed Security Event Token (SPEC §11) as a checklist: verify it, check each
 * event against its definition, then — once per jti, in one transaction — act on it, announce
 * the grants that changed to every instance, and record it. Throws SetRejected (400) or
 * TransmitterUnavailable (503); resolves when the SET is accepted (202), replays included.
 */
export class RiscReceiver {
  constructor(private readonly deps: RiscReceiverDeps) {}

  async receive(compact: string): Promise<void> {
    const { transmitter, clock, counter } = this.deps;
    let set: VerifiedSet;
    let events: RiscEvent[];
    try {
      // Garbage is refused before anything is fetched.
      checkSetHeader(compact);
      const { config, keys } = await transmitter.get();
      set = await verifySet(compact, { issuer: config.issuer, audience: this.deps.audience, keys, nowMs: clock() });
      events = parseEvents(set);
    } catch (err) {
      if (err instanceof SetRejected) {
        counter.inc({ type: 'unverified', result: err.err });
        this.deps.logger.warn({ risc_error: err.err, reason: err.message }, 'refused a security event token (RISC)');
      }
      throw err;
    }
    // Grants stored before fingerprints existed (or re-encrypted since) get theirs first.
    if (events.some((e) => e.kind === 'token' && e.identifier)) await this.deps.store.backfillFingerprints();

    const handled = await this.apply(set, events);
    if (!handled) {
      for (const e of events) counter.inc({ type: typeLabel(e), result: 'replayed' });
      this.deps.logger.info({ jti: set.jti }, 'security event token (RISC) received again: acknowledged and ignored');
      return;
    }
    for (const h of handled) {
      for (const id of h.serenUserIds) this.deps.forget(id);
      counter.inc({ type: typeLabel(h.event), result: h.result });
      this.log(set, h);
    }
  }

  /** Acts on the events once per jti; undefined when this jti was handled before. */
  private apply(set: VerifiedSet, events: RiscEvent[]): Promise<Handled[] | undefined> {
    const { db, store, clock } = this.deps;
    const now = clock();
    return db.transaction(async (tx) => {
      const verification = events.find((e) => e.kind === 'verification');
      const eventTypes = events.map((e) => (e.kind === 'unknown' ? e.uri : RISC_EVENTS[e.name].uri));
      if (!(await store.remember(tx, { issuer: set.issuer, jti: set.jti, eventTypes, verificationState: verification?.state, now }))) return undefined;
      const handled: Handled[] = [];
      for (const event of events) {
        const h = await this.act(tx, event, now);
        handled.push(h);
        await this.audit(tx, set, h);
      }
      await announceGrantsChanged(tx, [...new Set(handled.flatMap((h) => h.serenUserIds))]);
      return handled;
    });
  }

  private async act(tx: Queryable, event: RiscEvent, now: number): Promise<Handled> {
    const done = (result: EventResult, serenUserIds: string[] = []): Handled => ({ event, result, serenUserIds });
    switch (event.kind) {
      case 'unknown':
        return done('ignored');
      case 'verification':
        return done('recorded');
      case 'token': {
        if (!event.identifier) return done('no_matching_grant');
        const ids = await this.deps.store.markTokenHolder(tx, event.identifier, now);
        return done(ids.length ? 'applied' : 'no_matching_grant', ids);
      }
      case 'account': {
        if (RISC_EVENTS[event.name].action !== 'revoke_account') return done('recorded');
        const subject = event.subject;
        if (!subject || withoutSlash(subject.iss) !== withoutSlash(this.deps.oidcIssuer)) return done('no_matching_grant');
        const ids = await this.deps.store.markAccount(tx, subject.sub, now);
        return done(ids.length ? 'applied' : 'no_matching_grant', ids);
      }
    }
  }

  /** One audit event per security event, one per grant it made unusable; never token material. */
  private async audit(tx: Queryable, set: VerifiedSet, h: Handled): Promise<void> {
    const e = h.event;
    await recordAudit(tx, 'risc.event_received', null, {
      event: e.kind === 'unknown' ? 'unknown' : e.name,
      ...(e.kind === 'unknown' ? { event_type: e.uri } : {}),
      jti: set.jti,
      result: h.result,
      grants: h.serenUserIds.length,
      ...(e.kind === 'account' ? { subject_type: e.subjectType, reason: e.reason ?? null } : {}),
      ...(e.kind === 'token' ? { identifier: e.identifierType } : {}),
      ...(e.kind === 'verification' ? { verification_state: e.state } : {}),
    });
    for (const id of h.serenUserIds) {
      await recordAudit(tx, 'grant.reauthorization_required', id, { reason: 'risc', risc_event: e.kind === 'unknown' ? 'unknown' : e.name, jti: set.jti });
    }
  }

  private log(set: VerifiedSet, h: Handled): void {
    const e = h.event;
    const fields = { risc_event: e.kind === 'unknown' ? e.uri : e.name, jti: set.jti, result: h.result, grants: h.serenUserIds.length };
    if (e.kind === 'verification') {
      // Named so the logger's redaction of `state` fields does not hide it: the operator matches it.
      this.deps.logger.info({ ...fields, verification_state: e.state }, `RISC verification event received (state "${e.state}")`);
    } else if (h.result === 'applied') {
      this.deps.logger.warn({ ...fields, seren_user_ids: h.serenUserIds }, `Google reported ${fields.risc_event}: ${h.serenUserIds.length} grant(s) now need reauthorization`);
    } else {
      this.deps.logger.info(fields, `security event (RISC) ${fields.risc_event}: ${h.result}`);
    }
  }
}

function typeLabel(e: RiscEvent): string {
  return e.kind === 'unknown' ? 'unknown' : e.name;
}
