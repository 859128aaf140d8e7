import { runDemo } from '../demo/demo.js';
import { Narrator } from '../demo/narrator.js';
import type { Command } from './main.js';

export const demo: Command<never> = {
  needs: [],
  summary: 'Show the whole story on this machine: not connected → link → consent → token → Gmail',
  usage:
    'seren-google-auth demo\n\nStarts a throwaway dev-mode service (embedded database, emulated Google, simulated gateway)\n' +
    'and prints each step a user would see. Needs no configuration; exits 0 only if the story completed.',
  async run() {
    const say = new Narrator();
    const started = Date.now();
    const ok = await runDemo(say);
    say.say(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return ok ? 0 : 1;
  },
};
