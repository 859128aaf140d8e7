import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../src/errors/errors.js';
import { OPERATION_DOCS } from '../../src/http/api-docs/document.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'test-artifacts', '.tools', 'data']);

/** README.md, docs/*.md and every other Markdown file of the repository. */
function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Every file under a directory of the repository. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Documents that live outside this repository: a sibling `shared/` directory, its STYLE and SPEC.
 * Case-sensitive, so CSS `style` and prose "style" do not count; "SPEC §N" is fine (docs/api.md
 * maps each section to this repository's documents).
 */
const OUTSIDE = /\.\.\/shared\/|\bSTYLE\b|\bSPEC\.md\b/;

const read = (path: string) => readFileSync(path, 'utf8');
/** The text outside fenced code blocks and inline code, where links are links. */
const prose = (md: string) => md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');

function linksOf(md: string): string[] {
  const text = prose(md);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const defined = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  const html = [...text.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  return [...inline, ...defined, ...html];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(md: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const files = markdownFiles();

describe('the documentation stands alone', () => {
  it('finds the documents', () => {
    const names = files.map((f) => relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['README.md', join('docs', 'api.md'), join('docs', 'operations.md'), join('docs', 'your-data.md')]));
  });

  for (const file of files) {
    const name = relative(ROOT, file);
    it(`${name}: every relative link exists inside the repository, anchors included`, () => {
      const md = read(file);
      const problems: string[] = [];
      for (const link of linksOf(md)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) {
          if (!/^(https?|mailto):/i.test(link)) problems.push(`${link}: not a web link`);
          continue;
        }
        const [path = '', anchor] = link.split('#', 2);
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        if (target !== ROOT && !target.startsWith(ROOT + sep)) {
          problems.push(`${link}: leaves the repository`);
          continue;
        }
        if (!existsSync(target)) {
          problems.push(`${link}: ${relative(ROOT, target)} does not exist`);
          continue;
        }
        if (anchor && target.endsWith('.md') && !anchorsOf(read(target)).has(anchor)) problems.push(`${link}: no heading #${anchor} in ${relative(ROOT, target)}`);
      }
      expect(problems).toEqual([]);
    });

    it(`${name}: names nothing outside the repository`, () => {
      expect(read(file)).not.toMatch(OUTSIDE);
    });
  }

  it('the code\'s comments name nothing outside the repository either', () => {
    const sources = ['src', 'bin', 'bench'].flatMap((dir) => filesUnder(join(ROOT, dir)));
    expect(sources.length).toBeGreaterThan(100);
    const offenders = sources.filter((f) => OUTSIDE.test(read(f))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('every "SPEC §N" the code cites has a row in docs/api.md\'s table of contract sections', () => {
    const api = read(join(ROOT, 'docs', 'api.md'));
    const table = api.slice(api.indexOf('## Contract sections cited in the code'));
    const cited = new Set(filesUnder(join(ROOT, 'src')).flatMap((f) => [...read(f).matchAll(/SPEC §(\d+)/g)].map((m) => m[1]!)));
    expect(cited.size).toBeGreaterThan(5);
    for (const section of cited) expect(table, `SPEC §${section}`).toMatch(new RegExp(`^\\| §${section} \\|`, 'm'));
  });
});

describe('docs/api.md', () => {
  const api = read(join(ROOT, 'docs', 'api.md'));

  it('describes every route the service serves', () => {
    const missing = Object.keys(OPERATION_DOCS).filter((route) => {
      const [method, path] = route.split(' ');
      return !new RegExp(`\`${method} ${path!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\`?]`).test(api);
    });
    expect(missing).toEqual([]);
  });

  it('has a row for every error code, with its status', () => {
    const section = api.slice(api.indexOf('## Error codes'));
    for (const [code, status] of Object.entries(ERROR_STATUS)) expect(section, code).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'));
  });
});

describe('docs/operations.md', () => {
  const ops = read(join(ROOT, 'docs', 'operations.md'));

  it('keeps the topics an operator looks for, each under its own heading', () => {
    const headings = [...ops.matchAll(/^## (.+?)\s*$/gm)].map((m) => m[1]);
    expect(headings).toEqual(expect.arrayContaining([
      'Prerequisites', 'Running it with Docker', 'Back up the encryption keys', 'Upgrades and migrations', 'Security model',
      'Metrics and alerts', 'The audit table and its retention', 'Running the tests', "Google's verification and security assessment",
    ]));
  });

  it('describes every audit event', () => {
    const source = read(join(ROOT, 'src', 'audit', 'audit.ts'));
    const union = source.slice(source.indexOf('export type AuditEvent'), source.indexOf(';', source.indexOf('export type AuditEvent')));
    const events = [...union.matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]!);
    expect(events.length).toBeGreaterThan(5);
    for (const event of events) expect(ops, event).toContain(`\`${event}\``);
  });
});
