/** The results file and the printed table of `npm run bench`. */
import { writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export type Row = Record<string, unknown> & { rps: number; p50_ms: number; p99_ms: number };

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Who ran it on what: kept with every results file so figures are never read without their machine. */
export function machineLine(settings: Record<string, unknown>) {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: round(totalmem() / 2 ** 30, 1),
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    load_average_at_start: loadavg().map((l) => round(l)),
    date: new Date().toISOString(),
    ...settings,
  };
}

export interface Target {
  target: string;
  measured: number | undefined;
  met: boolean | undefined;
}

export function target(text: string, measured: number | undefined, met: (m: number) => boolean): Target {
  return { target: text, measured, met: measured === undefined || Number.isNaN(measured) ? undefined : met(measured) };
}

export function writeResults(files: URL[], results: Record<string, unknown>) {
  for (const f of files) writeFileSync(f, `${JSON.stringify(results, null, 2)}\n`);
}

export function printTable(scenarios: Record<string, Row>, targets: Record<string, Target>): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/x', 'DB/x', 'RSS peak MB'];
  const cell = (v: unknown) => (v === undefined ? '' : String(v));
  const rows = Object.entries(scenarios).map(([name, m]) => [
    name, cell(m.rps), m.p50_ms.toFixed(3), m.p99_ms.toFixed(3), cell(m.cpu_ms_per_exchange), cell(m.db_round_trips_per_exchange), cell(m.rss_peak_mb),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  for (const [name, t] of Object.entries(targets)) {
    const verdict = t.met === undefined ? 'not measured' : t.met ? 'met' : 'NOT met';
    out.push(`${name}: ${t.measured ?? '-'} (target ${t.target}) ${verdict}`);
  }
  return out.join('\n');
}
