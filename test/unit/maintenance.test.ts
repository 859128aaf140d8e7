import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/clock.js';
import { createLogger } from '../../src/log/logger.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';

function setUp() {
  const clock = new AdjustableClock();
  const lines: Array<{ level: number; msg: string; task?: string }> = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const registry = new Registry();
  return { clock, lines, registry, maintenance: new Maintenance(clock.now, logger, registry) };
}

describe('the maintenance scheduler', () => {
  it('runs a task once per period of the service clock, with the time it runs at', async () => {
    const { clock, maintenance } = setUp();
    const runs: number[] = [];
    maintenance.add({ name: 'purge', everyMs: 60_000, run: async (now) => (runs.push(now), 3) });
    await maintenance.runDue();
    expect(runs).toHaveLength(0); // first run one period after it was added
    clock.advance(60);
    await maintenance.runDue();
    await maintenance.runDue();
    expect(runs).toHaveLength(1);
    expect(Math.abs(runs[0]! - clock.now())).toBeLessThan(1_000);
    clock.advance(59);
    await maintenance.runDue();
    expect(runs).toHaveLength(1);
    clock.advance(2);
    await maintenance.runDue();
    expect(runs).toHaveLength(2);
  });

  it('never overlaps a run of the same task', async () => {
    const { clock, maintenance } = setUp();
    let release = () => {};
    let started = 0;
    maintenance.add({ name: 'slow', everyMs: 1_000, run: () => (started++, new Promise<number>((r) => (release = () => r(1)))) });
    clock.advance(5);
    const first = maintenance.runDue();
    clock.advance(5);
    await maintenance.runDue(); // still running: skipped
    const joined = maintenance.runNow('slow'); // joins the run in progress
    expect(started).toBe(1);
    release();
    await first;
    expect(await joined).toBe(1);
  });

  it('logs a failure once per episode, counts every failure, and says when it works again', async () => {
    const { clock, lines, registry, maintenance } = setUp();
    let fail = true;
    maintenance.add({ name: 'flaky', everyMs: 1_000, run: async () => {
      if (fail) throw new Error('database unreachable');
      return 2;
    } });
    for (let i = 0; i < 3; i++) {
      clock.advance(1);
      await maintenance.runDue();
    }
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ task: 'flaky' });
    fail = false;
    clock.advance(1);
    await maintenance.runDue();
    expect(lines.filter((l) => l.msg.includes('works again'))).toHaveLength(1);
    fail = true;
    clock.advance(1);
    await maintenance.runDue();
    expect(lines.filter((l) => l.level === 50)).toHaveLength(2); // a new episode
    const metrics = await registry.metrics();
    expect(metrics).toContain('sga_maintenance_failures_total{task="flaky"} 4');
    expect(metrics).toContain('sga_maintenance_purged_rows_total{task="flaky"} 2');
  });

  it('stop() waits for the run in progress, and nothing runs afterwards', async () => {
    const { clock, maintenance } = setUp();
    let runs = 0;
    let finished = false;
    maintenance.add({ name: 'slow', everyMs: 1_000, run: async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
      return 0;
    } });
    maintenance.start();
    clock.advance(2);
    void maintenance.runDue();
    await maintenance.stop();
    expect(finished).toBe(true);
    clock.advance(2);
    await maintenance.runDue();
    expect(await maintenance.runNow('slow')).toBe(0);
    expect(runs).toBe(1);
  });

  it('refuses a task name twice', () => {
    const { maintenance } = setUp();
    const task = { name: 'x', everyMs: 1, run: async () => 0 };
    maintenance.add(task);
    expect(() => maintenance.add(task)).toThrow(/already scheduled/);
  });
});
