/** `/healthz` for load balancers and `/metrics` for Prometheus. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async (_request, reply) => {
    // A gateway that cannot reach its database cannot serve hosted pages.
    await sql`select 1`.execute(app.services.storage.database.db);
    return reply.type('application/json').send({ status: 'ok' });
  });
  app.get('/metrics', async (_request, reply) => {
    const { registry } = app.services.metrics;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
