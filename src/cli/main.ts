import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, type ConfigFor, type Need, parseConfig } from '../config/config.js';
import { BindingMismatchError } from '../installation/binding.js';
import { demo } from './demo.js';
import { EXIT, explainFailure } from './failures.js';
import { rebindCommand } from './installation.js';
import { keysGenerate, keysRotate } from './keys.js';
import { migrateCommand } from './migrate.js';
import { publishersShow, publishersSync } from './publishers.js';
import { riscRegister, riscVerify } from './risc.js';
import { serve } from './serve.js';
import { UsageError, describeArgsError, groupHelp, packageVersion } from './usage.js';

export interface Command<N extends Need = Need> {
  summary: string;
  usage: string;
  options?: ParseArgsConfig['options'];
  /** The settings the command uses (SPEC §10); `config()` reads, checks and requires only those. */
  needs: readonly N[];
  run(args: { values: Record<string, unknown>; positionals: string[]; env: NodeJS.ProcessEnv; config: () => ConfigFor<N> }): Promise<number | void>;
}

const COMMANDS: Record<string, Command> = {
  serve,
  migrate: migrateCommand,
  'keys generate': keysGenerate,
  'keys rotate': keysRotate,
  'publishers show': publishersShow,
  'publishers sync': publishersSync,
  'installation rebind': rebindCommand(),
  'risc register': riscRegister,
  'risc verify': riscVerify,
  demo,
};

const HELP = `seren-google-auth: Google OAuth token broker for Seren publishers

Usage: seren-google-auth <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`)
  .join('\n')}

Configuration comes from environment variables (see README.md).
Run 'seren-google-auth <command> --help' for a command's options, '--version' for the version.`;

function findCommand(argv: string[]): [string, Command, string[]] | undefined {
  if (argv.length === 0 || argv[0]?.startsWith('-')) return ['serve', serve, argv];
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS[name];
    if (command) return [name, command, argv.slice(words)];
  }
  return undefined;
}

/** Runs one command; resolves to the process exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(HELP);
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    console.log(`seren-google-auth ${packageVersion()}`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = groupHelp(COMMANDS, argv[0]);
    const asksHelp = argv[1] === '--help' || argv[1] === '-h';
    if (group && asksHelp) console.log(group);
    else if (group && argv.length === 1) console.error(`seren-google-auth ${argv[0]}: which command?\n\n${group}`);
    else console.error(`Unknown command: ${argv.join(' ')}\n\n${group ?? HELP}`);
    return group && asksHelp ? 0 : 2;
  }
  const [name, command, rest] = found;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' }, ...command.options }, allowPositionals: false });
  } catch (err) {
    const options = command.options as Parameters<typeof describeArgsError>[1];
    console.error(`seren-google-auth ${name}: ${describeArgsError(err, options)}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return (await command.run({ values: parsed.values, positionals: parsed.positionals, env, config: () => parseConfig(env, command.needs) })) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`seren-google-auth ${name}: ${err.message}\n\nUsage: ${command.usage}`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError || err instanceof BindingMismatchError) {
      console.error(`seren-google-auth ${name}: ${err.message}`);
      return EXIT.config;
    }
    // One sentence a person can act on; the stack only for whoever asked for it.
    const explained = explainFailure(err, { host: env.HOST || '127.0.0.1', port: env.PORT || '8787', dataDir: env.DATA_DIR || './data' });
    console.error(`seren-google-auth ${name}: ${explained?.sentence ?? `failed: ${(err as Error).message}`}`);
    if (env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace') console.error((err as Error).stack);
    else if (!explained) console.error('(LOG_LEVEL=debug shows where it failed)');
    return explained?.exitCode ?? EXIT.failed;
  }
}
