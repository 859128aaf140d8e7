import { describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../src/clock.js';
import { createLogger } from '../../src/log/logger.js';
import { REPEAT_WINDOW_MS, RepeatLimitedLog } from '../../src/log/repeat-limited.js';

function world(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(level, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const clock = new AdjustableClock();
  return { lines, clock, log: new RepeatLimitedLog(logger, clock.now) };
}

describe('RepeatLimitedLog', () => {
  it('writes the first of a kind, keeps its repeats out of the log for a window, then counts them', () => {
    const { lines, clock, log } = world();
    for (let i = 0; i < 50; i++) log.write('warn', 'refresh|unavailable|HTTP 503', { n: i }, 'Google refresh is unavailable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, n: 0, msg: 'Google refresh is unavailable' });
    clock.advance(REPEAT_WINDOW_MS / 1000);
    log.write('warn', 'refresh|unavailable|HTTP 503', { n: 50 }, 'Google refresh is unavailable');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ level: 40, repeated: 49, msg: 'Google refresh is unavailable (and 49 more like it since the last such line)' });
  });

  it('tells kinds apart, and keeps every repeat at debug', () => {
    const { lines, log } = world('debug');
    log.write('warn', 'a', {}, 'first kind');
    log.write('warn', 'b', {}, 'second kind');
    log.write('warn', 'a', {}, 'first kind');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, 'first kind'], [40, 'second kind'], [20, 'first kind']]);
  });
});
