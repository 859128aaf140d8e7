import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { PendingRevocations } from './pending-revocations.js';
import type { Revoker } from './revoker.js';

/** How often each instance looks for due revocations. */
export const REVOCATION_SWEEP_EVERY_MS = 30_000;
/** A claimed revocation is not retried by another instance for this long (an attempt takes seconds). */
export const REVOCATION_CLAIM_MS = 2 * 60 * 1000;
const BATCH = 20;

/** The periodic in-process worker that retries pending revocations at Google (SPEC §3). */
export class RevocationWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly queue: PendingRevocations,
    private readonly revoker: Revoker,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.runDue().catch((err) => this.logger.error({ err }, 'revocation sweep failed')), REVOCATION_SWEEP_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** Attempts every due revocation once; returns how many were attempted. Runs never overlap. */
  runDue(): Promise<number> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const now = this.clock();
      const due = await this.queue.claimDue(now, now + REVOCATION_CLAIM_MS, BATCH);
      for (const p of due) {
        await this.revoker.attempt(p).catch((err) => this.logger.error({ err, seren_user_id: p.serenUserId }, 'revocation attempt failed'));
      }
      attempted += due.length;
      if (due.length < BATCH) return attempted;
    }
  }
}
