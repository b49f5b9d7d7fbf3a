// POST /api/v1/ingest: an authenticated agent's batch of reports, stored once per (agent, seq);
// answers with every seq now stored so the agent can delete them from its buffer.
import { API_PATHS, type IngestRequest, IngestRequestSchema, type IngestResponse } from '@vitals/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerSecret, sameHash, sha256 } from '../auth/credentials.js';
import type { AgentRecord } from '../store/store.js';
import { HttpError, InvalidBodyError } from './api-error.js';
import { DEFAULT_TS_AHEAD_MAX_MS, DEFAULT_TS_EARLIEST, timestampIssues } from './ingest-window.js';
import type { RouteContext } from './server.js';

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentRecord | null;
  }
}

async function authenticate(ctx: RouteContext, request: FastifyRequest): Promise<void> {
  const secret = bearerSecret(request.headers.authorization);
  if (!secret) throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <agent secret>');
  const hash = sha256(secret);
  const agent = await ctx.store.findAgentBySecretHash(hash);
  if (!agent || !sameHash(agent.secret_hash, hash))
    throw new HttpError(401, 'unauthorized', 'agent secret is not valid');
  if (agent.retired_at !== null)
    throw new HttpError(401, 'unauthorized', `agent ${agent.id} was retired; enroll again`);
  const { secret_hash: _s, ...record } = agent;
  request.agent = record;
}

export function registerIngestRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.decorateRequest('agent', null);
  app.post<{ Body: IngestRequest }>(
    API_PATHS.ingest,
    {
      schema: { body: IngestRequestSchema },
      // Authenticate before the body is read, so strangers cost nothing; rate-limit by agent id
      // (practices sit behind one NAT address), counted before the body is read too.
      onRequest: async (request) => authenticate(ctx, request),
      config: {
        rateLimit: {
          max: ctx.limits.ratePerMinute,
          timeWindow: 60_000,
          hook: 'preParsing',
          keyGenerator: (request: FastifyRequest) => request.agent?.id ?? request.ip,
        },
      },
    },
    async (request, reply): Promise<IngestResponse> => {
      const agent = request.agent as AgentRecord;
      // Another agent's id is "another tenant's object": 404, as if it did not exist.
      if (request.body.agent_id !== agent.id) {
        throw new HttpError(404, 'not_found', `agent ${request.body.agent_id} not found for this credential`);
      }
      const receivedAt = ctx.now();
      // Checked after the schema (which cannot know the clock); any report outside refuses the whole request.
      const window = ctx.limits.tsWindow ?? { earliest: DEFAULT_TS_EARLIEST, aheadMaxMs: DEFAULT_TS_AHEAD_MAX_MS };
      const issues = timestampIssues(request.body, receivedAt, window);
      if (issues.length > 0) throw new InvalidBodyError(issues);
      const outcome = await ctx.store.ingest({ agentId: agent.id, request: request.body, receivedAt });
      ctx.metrics.ingestRequests++;
      ctx.metrics.ingestedReports += outcome.inserted;
      ctx.metrics.duplicateReports += outcome.duplicates;
      ctx.metrics.observeIngest(reply.elapsedTime / 1000);
      if (request.body.agent.state !== agent.state) {
        request.log.info(
          { agent_id: agent.id, hostname: agent.hostname, state: request.body.agent.state },
          'agent state changed',
        );
      }
      return { acked: outcome.acked, duplicates: outcome.duplicates };
    },
  );
}
