#!/usr/bin/env node
// Runs the TypeScript sources through tsx in a checkout, or the compiled dist/ in a built image.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/entry.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli/entry.js', import.meta.url).href);
}
