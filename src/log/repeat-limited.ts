import type { Clock } from '../clock.js';
import type { Logger } from './logger.js';

/** One line per kind of failure per minute at its own level; the repeats go to debug. */
export const REPEAT_WINDOW_MS = 60_000;
const MAX_KINDS = 1_000;

type Level = 'error' | 'warn' | 'info';

/**
 * Keeps a failure that repeats (Google down for every refresh, discovery retried every 10 s)
 * from flooding the log: the first line of a kind in each window is written at its level, the
 * repeats within the window at debug, and the next line written at its level says how many
 * there were. A kind is what makes two failures "the same" (operation, class and cause).
 */
export class RepeatLimitedLog {
  private readonly kinds = new Map<string, { since: number; repeats: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly windowMs = REPEAT_WINDOW_MS,
  ) {}

  write(level: Level, kind: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.clock();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.since < this.windowMs) {
      seen.repeats++;
      this.logger.debug({ ...fields, repeat_of: kind }, msg);
      return;
    }
    this.kinds.delete(kind);
    if (this.kinds.size >= MAX_KINDS) this.kinds.delete(this.kinds.keys().next().value!);
    this.kinds.set(kind, { since: now, repeats: 0 });
    const repeats = seen?.repeats ?? 0;
    if (repeats === 0) this.logger[level](fields, msg);
    else this.logger[level]({ ...fields, repeated: repeats }, `${msg} (and ${repeats} more like it since the last such line)`);
  }
}
