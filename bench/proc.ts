/**
 * The benchmark's child processes: every part (service, bare route, fake upstreams, seeding,
 * load generators) runs in a process of its own, so none of them shares an event loop with the
 * thing it measures. Children speak to the parent over Node's IPC channel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';

/**
 * The benchmark compiled to JavaScript (src/ with it): children run as `node <file>.js`, as the
 * image runs the service, not under tsx, whose loader thread would add its own memory and start-up
 * to every figure.
 */
export const BUILD_DIR = new URL('./.build/', import.meta.url).pathname;

/** Compiles bench/ and what it imports (src/, test/support/) into bench/.build (ignored by git). */
export async function buildBench(): Promise<void> {
  const tsc = new URL('../node_modules/.bin/tsc', import.meta.url).pathname;
  await runCommand(tsc, ['-p', new URL('./tsconfig.json', import.meta.url).pathname]);
  // src/ finds package.json two levels up (its version), as dist/ does in the image.
  copyFileSync(new URL('../package.json', import.meta.url), `${BUILD_DIR}package.json`);
}

/** The compiled file of `bench/<script>.ts`. */
const compiled = (script: string) => `${BUILD_DIR}bench/${script.replace(/^\.\//, '').replace(/\.ts$/, '.js')}`;

export interface Child {
  readonly process: ChildProcess;
  /** What the child sent as `{ready}`. */
  readonly ready: Record<string, unknown>;
}

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Where the child's stdout goes: 'ignore' (/dev/null, the service's log lines) or 'inherit'. */
  stdout?: 'ignore' | 'inherit';
}

/** Starts compiled `bench/<script>` (buildBench first) and resolves once it sends `{ready}` (or `{result}` for one-shot children). */
export function startChild(script: string, args: string[], opts: SpawnOptions = {}): Promise<Child & { result?: unknown }> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), compiled(script), ...args], {
    env: definedOnly({ ...process.env, ...opts.env }),
    stdio: ['ignore', opts.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const onMessage = (m: { ready?: Record<string, unknown>; result?: unknown }) => {
      if (m.ready) resolve({ process: child, ready: m.ready });
      else if ('result' in m) resolve({ process: child, ready: {}, result: m.result });
      else return;
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onExit = (code: number | null) => reject(new Error(`bench child ${script} ${args.join(' ')} exited (${code}) before it was ready`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** An environment without the variables set to undefined (spawn would pass them as "undefined"). */
export function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A one-shot child: runs to its `{result}` and exits. */
export async function runChild<T>(script: string, args: string[], opts: SpawnOptions = {}): Promise<T> {
  const child = await startChild(script, args, opts);
  await stopChild(child);
  return child.result as T;
}

/** Sends `message` and resolves with the child's next answer carrying `key`. */
export function ask<T>(child: Child, message: Record<string, unknown>, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.process.off('message', onMessage);
      resolve(m[key] as T);
    };
    child.process.on('message', onMessage);
    child.process.send(message, (err) => err && reject(err));
  });
}

export async function stopChild(child: Child): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to completion, collecting its stdout. */
export function runCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited with code ${code}`))));
  });
}
