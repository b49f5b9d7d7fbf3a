// POST /api/v1/enroll: an enrolment token and host facts in, a new agent id and secret out.
import { API_PATHS, type EnrollRequest, EnrollRequestSchema, type EnrollResponse } from '@vitals/shared';
import type { FastifyInstance } from 'fastify';
import { newAgentId, newAgentSecret, sha256, tokenProblem } from '../auth/credentials.js';
import { HttpError } from './api-error.js';
import type { RouteContext } from './server.js';

const ENROLL_BODY_MAX = 64 * 1024;

export function registerEnrollRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Body: EnrollRequest }>(
    API_PATHS.enroll,
    {
      schema: { body: EnrollRequestSchema },
      bodyLimit: ENROLL_BODY_MAX,
      // Per client IP: guessing tokens is pointless at 192 bits, but cheap requests stay cheap.
      config: { rateLimit: { max: ctx.limits.enrollPerMinute, timeWindow: 60_000, hook: 'onRequest' } },
    },
    async (request): Promise<EnrollResponse> => {
      const now = ctx.now();
      const token = await ctx.store.findTokenByHash(sha256(request.body.token));
      const problem = tokenProblem(token, now);
      if (problem || !token) throw new HttpError(401, 'unauthorized', problem ?? 'unknown token');
      const secret = newAgentSecret();
      const agent = await ctx.store.createAgent({
        id: newAgentId(),
        tokenId: token.id,
        secretHash: sha256(secret),
        facts: request.body.host,
        now,
      });
      ctx.metrics.enrolled++;
      request.log.info(
        { agent_id: agent.id, hostname: agent.hostname, client: agent.client, site: agent.site, token_id: token.id },
        'agent enrolled',
      );
      return { agent_id: agent.id, secret, client: agent.client, site: agent.site };
    },
  );
}
