import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runNode } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An install laid out as after `npm run build && npm prune --omit=dev`: bin/, dist/, src/, no tsx. */
function prunedInstall(opts: { dist: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'sga-pruned-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(root, 'bin'));
  cpSync(BIN, join(root, 'bin', 'seren-google-auth.js'));
  mkdirSync(join(root, 'src', 'cli'), { recursive: true });
  writeFileSync(join(root, 'src', 'cli', 'entry.ts'), 'throw new Error("the sources must not run without tsx")');
  if (opts.dist) {
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'entry.js'), 'console.log("compiled entry", process.argv.slice(2).join(" "))');
  }
  return root;
}

/**
 * The executable picks what it can run (finding: a pruned install crashed with "Cannot find package
 * 'tsx'" because the bin preferred src/ whenever it existed). The whole build-prune-start path,
 * with the real dist/ and the Dockerfile's HEALTHCHECK, runs in CI (.ci/pruned-start).
 */
describe('the executable of a built, pruned install', () => {
  it('runs dist/ when tsx is gone, even with src/ present', async () => {
    const run = await runNode([join(prunedInstall({ dist: true }), 'bin', 'seren-google-auth.js'), '--help']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('compiled entry --help');
    expect(run.code).toBe(0);
  });

  it('says what to do when there is neither dist/ nor tsx', async () => {
    const run = await runNode([join(prunedInstall({ dist: false }), 'bin', 'seren-google-auth.js'), '--help']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Run `npm ci && npm run build`');
  });
});
