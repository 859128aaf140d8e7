import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/seren-google-auth.js', import.meta.url));

/** The environment a child process gets: nothing of the test runner's configuration leaks in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME } = process.env;
  return { PATH, HOME, ...extra };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (bounded). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
  return collect(child, timeoutMs);
}

/** Runs `node <args>` to completion (bounded), with a clean environment. */
export function runNode(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<Run> {
  return collect(spawn(process.execPath, args, { env: cleanEnv(env) }), timeoutMs);
}

/** Starts the CLI and returns the child plus its output so far. */
export function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

function collect(child: ChildProcess, timeoutMs: number): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
