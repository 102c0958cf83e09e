/**
 * The gateway's public keys: `/keys/provenance-ed25519.pub` verifies the provenance of the wheels it builds
 * (`gatehouse verify-provenance --key`). Made on first use, with the signing key.
 */
import type { FastifyInstance } from 'fastify';

export async function keyRoutes(app: FastifyInstance): Promise<void> {
  const { wheels } = app.services;
  app.get('/keys/provenance-ed25519.pub', async (_request, reply) => {
    return reply.type('application/x-pem-file').header('cache-control', 'max-age=300').send(wheels.signingKey().publicKeyPem);
  });
}
