import { createConfig, lintFromString } from '@redocly/openapi-core';

export interface LintProblem {
  severity: string;
  rule: string;
  message: string;
  where: string;
}

/**
 * Lints an OpenAPI document with Redocly's `recommended` ruleset, in process and offline (the
 * document has no external $refs to fetch).
 */
export async function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document, null, 2), absoluteRef: 'openapi.json', config });
  return problems.map((p) => ({
    severity: p.severity,
    rule: p.ruleId,
    message: p.message,
    where: p.location.map((l) => l.pointer ?? '').join(' '),
  }));
}
