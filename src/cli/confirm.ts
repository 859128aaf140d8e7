import { createInterface } from 'node:readline/promises';

/** Where a question is asked: a terminal, or (in tests) anything that says it is one. */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export const processTerminal = (): Terminal => ({ input: process.stdin, output: process.stderr });

/**
 * Asks a person to type `yes`. Without a terminal there is no person to ask: 'no_terminal', so a
 * script must say `--yes` on purpose instead of confirming by accident through a pipe.
 */
export async function confirm(question: string, terminal: Terminal = processTerminal()): Promise<boolean | 'no_terminal'> {
  if (!terminal.input.isTTY) return 'no_terminal';
  const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: false });
  try {
    const answer = await rl.question(`${question} Type "yes" to continue: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
