// Request schemas of the access API: login / session / logout, users and the audit log. Query
// strings are validated as the strings they arrive as (no coercion), so numbers are patterns here.
import Type, { type Static } from 'typebox';
import { MAX_PASSWORD_LENGTH } from '../auth/password.js';
import { ROLES } from '../auth/principal.js';

export const ACCESS_API_PATHS = {
  session: '/api/v1/session',
  users: '/api/v1/users',
  userDisable: '/api/v1/users/:id/disable',
  userPassword: '/api/v1/users/:id/password',
  audit: '/api/v1/audit',
} as const;

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

export const LoginBodySchema = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const NewUserBodySchema = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, description: 'the login; unique without regard to case' }),
    role: Type.Enum([...ROLES], { description: 'admin, technician or viewer' }),
    clients: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: 500,
        description: 'limit a technician or viewer to these clients; left out or empty: every client',
      }),
    ),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'signs acknowledgements; default: the email' })),
  },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBodySchema>;

export const UserIdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: 'us_…' }) },
  { additionalProperties: false },
);
export type UserIdParams = Static<typeof UserIdParamsSchema>;

export const AuditQuerySchema = Type.Object(
  {
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time or epoch ms' })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,6}$', description: `at most this many, 1..${MAX_AUDIT_LIMIT} (default 100)` }),
    ),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;
