import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/failures.js';
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

  it('documents exactly the exit codes the command uses (0 and src/cli/failures.ts EXIT)', () => {
    const table = readme.slice(readme.indexOf('| exit code | meaning |')).split('\n\n')[0]!;
    const documented = [...table.matchAll(/^\| `(\d+)` \|/gm)].map((m) => Number(m[1]));
    expect(documented.sort((a, b) => a - b)).toEqual([0, ...Object.values(EXIT)].sort((a, b) => a - b));
  });
});
