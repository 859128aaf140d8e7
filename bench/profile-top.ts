/**
 * Where a service child's CPU went: self time by function and by package, from a V8
 * `.cpuprofile` (`BENCH_PROFILE=<scenario> npm run bench`, or any `node --cpu-prof` run).
 *
 *   npx tsx bench/profile-top.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  total_ms: number;
  functions: Array<{ name: string; where: string; self_ms: number; percent: number }>;
  packages: Array<{ name: string; self_ms: number; percent: number }>;
}

/** The package (or `ours`, `node:…`, `(gc)`, `(idle)`) a frame belongs to. */
function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.includes('undici') || url.includes('fetch') ? 'node:undici (fetch)' : url.split('/').slice(0, 2).join('/');
  if (url.includes('/src/')) return 'ours (src/)';
  return url.split('/').slice(-2).join('/');
}

export function summarize(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const packages = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    // Idle time, and the profiler's own stop call (it samples itself while it serialises).
    if (functionName === '(idle)' || functionName === '(program)' || url.startsWith('node:inspector')) continue;
    totalUs += us;
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = functions.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    f.us += us;
    functions.set(key, f);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    total_ms: ms(totalUs),
    functions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, self_ms: ms(f.us), percent: pct(f.us) })),
    packages: [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, self_ms: ms(us), percent: pct(us) })),
  };
}

export function printSummary(s: ProfileSummary): string {
  const lines = [`busy CPU in the profile: ${s.total_ms} ms (idle excluded)`, 'by package:'];
  for (const p of s.packages) lines.push(`  ${p.percent.toFixed(1).padStart(5)} %  ${p.name}`);
  lines.push('top functions (self time):');
  for (const f of s.functions) lines.push(`  ${f.percent.toFixed(1).padStart(5)} %  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/profile-top.ts <file.cpuprofile> [top]');
  console.log(printSummary(summarize(file, Number(top ?? 25))));
}
