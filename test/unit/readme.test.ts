import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/errors/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer needs', () => {
    const head = readme.split('\n').slice(0, 30).join('\n');
    expect(head).toContain('npm ci && npm start');
    expect(head).toContain('npm test');
  });

  it('has a troubleshooting row, with its status, for every error code the API can answer', () => {
    const section = readme.slice(readme.indexOf('## Troubleshooting'));
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(section, code).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'));
    }
  });
});
