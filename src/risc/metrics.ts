import { Counter, type Registry } from 'prom-client';

/**
 * `sga_risc_events_total{type, result}`: every security event received. `type` is the event's
 * short name, `unknown` for a type we do not handle, `unverified` for a SET refused before its
 * events could be trusted; `result` is applied | no_matching_grant | recorded | ignored | replayed,
 * or the RFC 8935 code a SET was refused with.
 */
export function riscEventsCounter(registry: Registry): Counter<'type' | 'result'> {
  return new Counter({
    name: 'sga_risc_events_total',
    help: 'Google security events (RISC) received, by event type and result',
    labelNames: ['type', 'result'] as const,
    registers: [registry],
  });
}
