// Request schemas of the enrollment-token API (contract.md): list, create and revoke tokens, and
// the unauthenticated install scripts and agent downloads the install commands fetch.
import Type, { type Static } from 'typebox';

export const ENROLLMENT_API_PATHS = {
  tokens: '/api/v1/enrollment-tokens',
  token: '/api/v1/enrollment-tokens/:id',
  installScript: '/install/:file',
  download: '/download/:file',
} as const;

/** A token lives at most a year: an install command is meant for a rollout, not for ever. */
export const MAX_TOKEN_HOURS = 24 * 366;

const Name = (what: string) => Type.String({ minLength: 1, maxLength: 200, description: what });

export const NewTokenBodySchema = Type.Object(
  {
    client: Name('the client (practice); created if new'),
    site: Name('the site of that client; created if new'),
    expires_in_hours: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: MAX_TOKEN_HOURS,
        description: `the token enrolls agents for this many hours (default 168 = 7 days, at most ${MAX_TOKEN_HOURS})`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewTokenBody = Static<typeof NewTokenBodySchema>;

export const TokenIdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: 'tk_…' }) },
  { additionalProperties: false },
);
export type TokenIdParams = Static<typeof TokenIdParamsSchema>;

export const FileParamsSchema = Type.Object(
  { file: Type.String({ minLength: 1, maxLength: 200, description: 'a file name, no directories' }) },
  { additionalProperties: false },
);
export type FileParams = Static<typeof FileParamsSchema>;
