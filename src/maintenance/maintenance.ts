import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';

/** One periodic clean-up, e.g. deleting expired rows. */
export interface MaintenanceTask {
  /** Names the task in logs and metrics (`connect_tokens`, `audit_events`, …). */
  readonly name: string;
  /** Time between runs, on the service clock. */
  readonly everyMs: number;
  /** Does the work as of `now` (the service clock); returns how many rows it removed. */
  run(now: number): Promise<number>;
}

/** How often the timer looks for due tasks (real time); a task's own period is on the service clock. */
export const MAINTENANCE_TICK_MS = 60_000;

interface Scheduled {
  readonly task: MaintenanceTask;
  nextAt: number;
  running: Promise<number> | undefined;
  /** True between a failure and the next success: one error line per failure episode. */
  failing: boolean;
}

/**
 * Periodic purges inside each instance (expired connect tokens, old audit events, …). A timer
 * ticks every MAINTENANCE_TICK_MS and runs each task whose time has come on the injectable clock,
 * so tests move the clock and call `runDue()` instead of waiting. A task never overlaps itself;
 * a failing one logs once per failure episode and is retried at its next period; `stop()` (on
 * shutdown) waits for the runs in progress. Instances sharing a database each run the tasks: the
 * purges are idempotent deletes, so the worst case is a little duplicated work.
 */
export class Maintenance {
  private readonly tasks = new Map<string, Scheduled>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly purged: Counter<'task'>;
  private readonly failures: Counter<'task'>;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.purged = new Counter({
      name: 'sga_maintenance_purged_rows_total',
      help: 'Rows removed by the periodic maintenance tasks, by task',
      labelNames: ['task'] as const,
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'sga_maintenance_failures_total',
      help: 'Maintenance task runs that failed, by task',
      labelNames: ['task'] as const,
      registers: [registry],
    });
  }

  /** Schedules a task; its first run is one period after it is added (start-up stays quick). */
  add(task: MaintenanceTask): void {
    if (this.tasks.has(task.name)) throw new Error(`maintenance task "${task.name}" is already scheduled`);
    if (!(task.everyMs > 0)) throw new Error(`maintenance task "${task.name}" needs a positive period`);
    this.tasks.set(task.name, { task, nextAt: this.clock() + task.everyMs, running: undefined, failing: false });
  }

  start(): void {
    if (this.stopped) return;
    this.timer ??= setInterval(() => void this.runDue(), MAINTENANCE_TICK_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for the runs in progress; nothing runs afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.tasks.values()].map((s) => s.running?.catch(() => {})));
  }

  /** Runs every task that is due and not already running; resolves when they have finished. */
  async runDue(): Promise<void> {
    const now = this.clock();
    const due = [...this.tasks.values()].filter((s) => s.nextAt <= now && !s.running);
    await Promise.all(due.map((s) => this.run(s).catch(() => {})));
  }

  /**
   * Runs one task now, whatever its schedule (tests, and operators through code); joins the run
   * in progress when there is one. Rejects when the task fails.
   */
  runNow(name: string): Promise<number> {
    const scheduled = this.tasks.get(name);
    if (!scheduled) return Promise.reject(new Error(`no maintenance task "${name}"`));
    return scheduled.running ?? this.run(scheduled);
  }

  private run(s: Scheduled): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    const started = this.clock();
    s.running = s.task
      .run(started)
      .then(
        (removed) => {
          this.purged.inc({ task: s.task.name }, removed);
          if (s.failing) this.logger.info({ task: s.task.name, removed }, `maintenance task ${s.task.name} works again`);
          else if (removed > 0) this.logger.debug({ task: s.task.name, removed }, `maintenance task ${s.task.name} removed ${removed} row(s)`);
          s.failing = false;
          return removed;
        },
        (err: unknown) => {
          this.failures.inc({ task: s.task.name });
          if (!s.failing) {
            this.logger.error(
              { err, task: s.task.name },
              `maintenance task ${s.task.name} failed; it is retried every ${Math.round(s.task.everyMs / 1000)} s, and further failures are not logged until it succeeds`,
            );
          }
          s.failing = true;
          throw err;
        },
      )
      .finally(() => {
        s.running = undefined;
        s.nextAt = started + s.task.everyMs;
      });
    return s.running;
  }
}
