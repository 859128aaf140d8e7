import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { type RebindPlan, bindingOf, describeBinding, planRebind, rebind } from '../installation/binding.js';
import { type Terminal, confirm, processTerminal } from './confirm.js';
import { EXIT } from './failures.js';
import type { Command } from './main.js';

function explain(plan: RebindPlan): string {
  return [
    `This database's Google grants belong to ${describeBinding(plan.recorded!)}.`,
    `Re-binding it to ${describeBinding(plan.configured)} (from GOOGLE_ISSUER / GOOGLE_CLIENT_ID):`,
    `  - ${plan.activeGrants} active grant(s) will be marked reauthorization_required: the new client cannot refresh`,
    '    them, so each user gets a link to reconnect on their next exchange (reconnecting replaces the grant);',
    `  - ${plan.pendingRevocations} pending revocation(s) will be dropped: their tokens must not be sent to another client`,
    '    (those users already disconnected here; their grant at the old client ends when it expires or they remove it);',
    '  - instances still running with the old client must be stopped first: start them again with the new settings.',
  ].join('\n');
}

/** `installation rebind` (SPEC §2): the explicit, confirmed way to change the Google client of a database. */
export function rebindCommand(terminal: () => Terminal = processTerminal): Command<'database' | 'google'> {
  return {
    summary: 'Bind the database to the configured Google client (existing grants then need reauthorization)',
    usage:
      'seren-google-auth installation rebind [--yes]\n\n' +
      'A start is refused when the database holds grants of another Google issuer or client id. Run this, with the\n' +
      'new GOOGLE_ISSUER / GOOGLE_CLIENT_ID (and DATABASE_URL) set, when the client changed on purpose. It says what\n' +
      'becomes of the existing grants and asks you to type "yes"; --yes confirms in a script (required without a terminal).',
    options: { yes: { type: 'boolean', short: 'y' } },
    needs: ['database', 'google'],
    async run({ values, config: loadConfig }) {
      const config = loadConfig();
      const configured = bindingOf(config);
      const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, maintenance: true });
      try {
        await migrate(db);
        const plan = await planRebind(db, configured);
        if (plan.unchanged) {
          console.log(`The database is already bound to ${describeBinding(configured)}; nothing to do.`);
          return 0;
        }
        if (plan.recorded) {
          console.log(explain(plan));
          if (values.yes !== true) {
            const answer = await confirm('Re-bind now?', terminal());
            if (answer === 'no_terminal') {
              console.error('Not re-bound: there is no terminal to confirm on. Re-run with --yes to confirm from a script.');
              return EXIT.usage;
            }
            if (!answer) {
              console.error('Not re-bound: nothing was changed.');
              return EXIT.failed;
            }
          }
        }
        const done = await rebind(db, configured);
        console.log(
          `Bound to ${describeBinding(configured)}: ${done.marked} grant(s) marked reauthorization_required, ` +
            `${done.droppedRevocations} pending revocation(s) dropped.`,
        );
        return 0;
      } finally {
        await db.close();
      }
    },
  };
}
