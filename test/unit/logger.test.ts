import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';

function linesOf(write: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  write(createLogger('info', { write: (line: string) => void lines.push(line) }));
  return lines;
}

describe('what a log line can carry', () => {
  it('censors a secret passed as a field', () => {
    const [line] = linesOf((log) => log.info({ access_token: 'ya29.SECRET', refresh_token: '1//SECRET', authorization: 'Bearer SECRET', code: 'SECRET', seren_user_id: 'u1' }, 'x'));
    expect(line).not.toContain('SECRET');
    expect(JSON.parse(line!)).toMatchObject({ access_token: '[redacted]', seren_user_id: 'u1' });
  });

  it('logs a request as method, redacted URL and address only: no headers, no cookies', () => {
    const req = { method: 'GET', url: '/auth/google/callback?code=SECRET&state=SECRET', ip: '10.0.0.1', headers: { authorization: 'Bearer SECRET', cookie: 'sga_flow=SECRET' } };
    const [line] = linesOf((log) => log.info({ req }, 'x'));
    expect(line).not.toContain('SECRET');
    expect(JSON.parse(line!).req).toEqual({ method: 'GET', url: '/auth/google/callback?code=[redacted]&state=[redacted]', ip: '10.0.0.1' });
  });

  it("logs an error by type, message and code, never a library error's cause or response body", () => {
    const err = Object.assign(new Error('token endpoint said no'), { code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', response: { access_token: 'SECRET' }, cause: { refresh_token: 'SECRET' } });
    const [line] = linesOf((log) => log.warn({ err }, 'x'));
    expect(line).not.toContain('SECRET');
    expect(JSON.parse(line!).err).toMatchObject({ type: 'Error', message: 'token endpoint said no', error_code: 'OAUTH_RESPONSE_IS_NOT_CONFORM' });
  });
});
