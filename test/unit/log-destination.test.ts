import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logDestination } from '../../src/log/destination.js';
import { createLogger } from '../../src/log/logger.js';

function terminal(isTTY: boolean) {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY, written });
}

describe('log destination', () => {
  it('is JSON (pino\'s own stdout) when stdout is not a terminal', async () => {
    expect(await logDestination(terminal(false))).toBeUndefined();
  });

  it('is readable lines when stdout is a terminal, with the request id before the message', async () => {
    const tty = terminal(true);
    const logger = createLogger('info', await logDestination(tty));
    logger.warn({ request_id: 'abc-123', publisher: 'gmail' }, 'Google refresh is unavailable');
    const text = tty.written.join('').replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] WARN: \[abc-123\] Google refresh is unavailable\n/);
    expect(text).toContain('publisher: "gmail"');
    expect(text).not.toContain('request_id:');
    expect(text).not.toContain('{"level"');
  });
});
