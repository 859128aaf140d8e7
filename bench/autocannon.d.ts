/** The part of autocannon@8's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p99: number;
    max: number;
  }

  export interface Result {
    requests: Histogram & { total: number };
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }

  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    pipelining?: number;
    workers?: number;
    initialContext?: Record<string, unknown>;
    requests?: Array<{ setupRequest?: (req: { headers?: Record<string, string>; path?: string; method?: string }, context: Record<string, unknown>) => unknown }>;
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {}

  function autocannon(opts: Options): Instance;
  export default autocannon;
}
