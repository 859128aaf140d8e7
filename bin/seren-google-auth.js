#!/usr/bin/env node
// A checkout with its devDependencies runs the TypeScript sources through tsx (always current,
// never a stale build); a built install without them (`npm prune --omit=dev`, the Docker image)
// runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/entry.ts', import.meta.url);
const compiled = new URL('../dist/cli/entry.js', import.meta.url);

function resolvable(specifier) {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && resolvable('tsx/esm/api')) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  console.error('seren-google-auth: nothing to run: dist/ is not built and tsx is not installed. Run `npm ci && npm run build` (or `npm ci` to run from the sources).');
  process.exitCode = 1;
}
