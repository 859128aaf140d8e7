/** How often the watch looks for expired deadlines: time-outs fire up to this much late. */
const TICK_MS = 25;

/**
 * Deadlines of in-flight calls, enforced by one timer for all of them instead of a timer per
 * call: on the cold path every exchange makes two outbound calls, and a timer (or an
 * `AbortSignal.timeout`) each is measurable CPU and garbage. The timer runs while calls are in
 * flight and stops at the first tick that finds none.
 */
export class DeadlineWatch {
  private readonly pending = new Set<{ deadline: number; expire: () => void }>();
  private timer: NodeJS.Timeout | undefined;

  /** Calls `expire` once `deadline` (performance.now() clock) has passed; the returned function cancels. */
  add(deadline: number, expire: () => void): () => void {
    const entry = { deadline, expire };
    this.pending.add(entry);
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), TICK_MS);
      this.timer.unref();
    }
    return () => this.remove(entry);
  }

  private remove(entry: { deadline: number; expire: () => void }) {
    this.pending.delete(entry);
  }

  private check() {
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const entry of this.pending) {
      if (entry.deadline > now) continue;
      this.remove(entry);
      entry.expire();
    }
  }
}
