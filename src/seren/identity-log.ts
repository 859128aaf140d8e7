import type { Clock } from '../clock.js';
import { ApiError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { RepeatLimitedLog } from '../log/repeat-limited.js';
import type { IdentityResolver } from './identity.js';

/**
 * The resolver, with every time Seren could not tell who a key belongs to (`seren_unavailable`)
 * written to the log at warn: what Seren answered (HTTP status, time-out, network or TLS error),
 * never the key. A Seren outage is one line a minute with a count (RepeatLimitedLog); a key
 * Seren rejects is an ordinary 401 and is not logged here.
 */
export function loggingSerenFailures(identity: IdentityResolver, logger: Logger, clock: Clock): IdentityResolver {
  const repeats = new RepeatLimitedLog(logger, clock);
  return {
    async resolve(...args: Parameters<IdentityResolver['resolve']>) {
      try {
        return await identity.resolve(...args);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'seren_unavailable') {
          const cause = err.networkCause ?? err.message;
          repeats.write('warn', `seren|${cause}`, { err }, `Seren identity lookup failed: ${cause}`);
        }
        throw err;
      }
    },
  };
}
