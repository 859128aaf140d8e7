import type { DestinationStream } from 'pino';

/** The stream a person may be watching: stdout, or a stand-in in tests. */
export type Terminal = NodeJS.WritableStream & { readonly isTTY?: boolean };

/**
 * Where the service's log lines go: JSON lines on stdout for machines (a container, a pipe, a
 * log shipper), but readable lines (time, level, message, fields) when stdout is a terminal, so
 * a developer running `npm start` can read them next to the banner. The pretty printer is
 * pinojs's own pino-pretty, loaded only then.
 */
export async function logDestination(terminal: Terminal = process.stdout): Promise<DestinationStream | undefined> {
  if (!terminal.isTTY) return undefined;
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    destination: terminal,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'service,request_id',
    messageFormat: '{if request_id}[{request_id}] {end}{msg}',
  });
}
