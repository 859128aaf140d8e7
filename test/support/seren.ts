import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/** A user the stand-in knows, by API key. */
export interface StandInUser {
  id: string;
  email: string;
  name: string;
  status: string;
}

type Failure = { status: number } | { delayMs: number } | { body: string };

/**
 * A stand-in for Seren on a loopback port: the identity service (`GET /auth/me`, SPEC §5) that
 * knows some keys, counts calls and fails on demand; and the publisher API
 * (`GET|PUT /agent/publishers/<slug>`, SPEC §6) that records every request.
 */
export class SerenStandIn {
  readonly users = new Map<string, StandInUser>();
  calls = 0;
  private failures: Failure[] = [];
  private persistent: Failure | undefined;
  private readonly app = Fastify({ forceCloseConnections: true });
  url = '';
  base = '';
  /** Publishers as Seren stores them, by slug. */
  readonly publishers = new Map<string, Record<string, unknown>>();
  readonly publisherRequests: Array<{ method: string; slug: string; authorization: string | undefined; body: unknown }> = [];
  /** The key the publisher API accepts; a status here makes it fail instead. */
  publisherAdminKey = 'seren_admin_key';
  publisherFailure: number | undefined;

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
    this.publisherRoutes();
  }

  private publisherRoutes() {
    const handler = async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
      const { slug } = request.params;
      this.publisherRequests.push({ method: request.method, slug, authorization: request.headers.authorization, body: request.body });
      if (request.headers.authorization !== `Bearer ${this.publisherAdminKey}`) return reply.code(401).send({ error: 'unauthorized' });
      if (this.publisherFailure) return reply.code(this.publisherFailure).send({ error: 'stand-in failure' });
      const current = this.publishers.get(slug);
      if (!current) return reply.code(404).send({ error: 'not_found' });
      if (request.method === 'PUT') this.publishers.set(slug, { ...current, ...(request.body as object) });
      return { data: this.publishers.get(slug) };
    };
    this.app.get('/agent/publishers/:slug', handler);
    this.app.put('/agent/publishers/:slug', handler);
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
    this.base = await this.app.listen({ port: 0, host: '127.0.0.1' });
    this.url = `${this.base}/auth/me`;
    return this.url;
  }

  async close() {
    await this.app.close();
  }
}
