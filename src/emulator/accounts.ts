import { createHash } from 'node:crypto';
import type { EmulatorAccount } from './options.js';

export interface Account {
  readonly sub: string;
  readonly email: string;
}

/** Google accounts known to the emulator; any email signs in, getting a stable subject. */
export class AccountDirectory {
  readonly #byEmail = new Map<string, Account>();

  register(account: EmulatorAccount): Account {
    const email = account.email.toLowerCase();
    const known = this.#byEmail.get(email);
    if (known && (account.sub === undefined || account.sub === known.sub)) return known;
    const created = Object.freeze({ email, sub: account.sub ?? subjectFor(email) });
    this.#byEmail.set(email, created);
    return created;
  }

  get(email: string): Account {
    return this.#byEmail.get(email.toLowerCase()) ?? this.register({ email });
  }
}

/** Google subjects are 21-digit decimal strings; derive one from the email so it is stable across runs. */
function subjectFor(email: string): string {
  const digest = createHash('sha256').update(`emulator-sub:${email}`).digest();
  return `1${(digest.readBigUInt64BE(0) % 10n ** 20n).toString().padStart(20, '0')}`;
}
