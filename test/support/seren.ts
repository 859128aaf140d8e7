import Fastify from 'fastify';

/** A user the stand-in knows, by API key. */
export interface StandInUser {
  id: string;
  email: string;
  name: string;
  status: string;
}

type Failure = { status: number } | { delayMs: number } | { body: string };

/**
 * A stand-in for the Seren identity service (`GET /auth/me`, SPEC §5) on a loopback port:
 * knows some keys, counts calls, and fails on demand.
 */
export class SerenStandIn {
  readonly users = new Map<string, StandInUser>();
  calls = 0;
  private failures: Failure[] = [];
  private persistent: Failure | undefined;
  private readonly app = Fastify({ forceCloseConnections: true });
  url = '';

  constructor() {
    this.app.get('/auth/me', async (request, reply) => {
      this.calls++;
      const failure = this.failures.shift() ?? this.persistent;
      if (failure && 'delayMs' in failure) await new Promise((r) => setTimeout(r, failure.delayMs));
      else if (failure && 'status' in failure) return reply.code(failure.status).send({ error: 'stand-in failure' });
      else if (failure) return reply.type('application/json').send(failure.body);
      const key = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const user = key ? this.users.get(key) : undefined;
      if (!user) return reply.code(401).send({ error: 'unauthorized' });
      return { data: user };
    });
  }

  /** Adds a user with this API key; returns the key. */
  addUser(key: string, user: Partial<StandInUser> = {}): string {
    const n = this.users.size + 1;
    this.users.set(key, { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, email: `user${n}@seren.test`, name: `User ${n}`, status: 'active', ...user });
    return key;
  }

  failNext(failure: Failure, count = 1) {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  failAlways(failure: Failure | undefined) {
    this.persistent = failure;
  }

  async start(): Promise<string> {
    const base = await this.app.listen({ port: 0, host: '127.0.0.1' });
    this.url = `${base}/auth/me`;
    return this.url;
  }

  async close() {
    await this.app.close();
  }
}
