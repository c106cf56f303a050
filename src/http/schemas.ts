import { Type, type TSchema } from 'typebox';

/** Shared schemas: every route reuses these for ids, errors and list envelopes. */
export const Id = Type.String({ format: 'uuid', description: 'A UUID (v7) identifier.', examples: ['01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a'] });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 time in UTC.', examples: ['2026-11-25T14:18:00.000Z'] });

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A page describing this kind of problem.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, for a person to act on.' }),
    instance: Type.String({ description: 'The request id; quote it when asking for help.' }),
    code: Type.String({ description: 'Stable machine-readable code, e.g. `administrator.not_found`.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          location: Type.String({ description: 'body, query, params or headers' }),
          pointer: Type.String({ description: 'RFC 6901 JSON pointer to the field' }),
          detail: Type.String(),
        }),
      ),
    ),
    retry_after: Type.Optional(Type.Integer({ description: 'Seconds to wait before retrying (429).' })),
  },
  {
    $id: 'Problem',
    description: 'RFC 9457 problem details.',
    examples: [
      {
        type: 'http://127.0.0.1:3000/problems/request.invalid',
        title: 'The request is not valid',
        status: 400,
        detail: 'body /email: must match format "email"',
        instance: '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a',
        code: 'request.invalid',
        errors: [{ location: 'body', pointer: '/email', detail: 'must match format "email"' }],
      },
    ],
  },
);

const ProblemRef = Type.Ref('Problem');

const PROBLEM_TEXT: Record<number, string> = {
  400: 'The request is malformed or a field is invalid.',
  401: 'No valid session or access token.',
  403: 'Your role lacks the privilege, or the CSRF token is missing.',
  404: 'No such resource in this organization.',
  409: 'The change conflicts with the current state.',
  412: 'The resource changed since you read it (If-Match mismatch).',
  413: 'The body is larger than the server accepts.',
  415: 'The body must be application/json.',
  428: 'If-Match is required.',
  429: 'Too many requests; see Retry-After.',
};

/**
 * Problem responses for the given statuses, for a route's `response` schema.
 * @example response: { 200: Org, ...problems(400, 401, 403, 404) }
 */
export function problems(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = Type.Unsafe({ ...ProblemRef, description: PROBLEM_TEXT[s] ?? 'Problem' });
  return out;
}

/** The `{data, next_cursor}` envelope of every list. */
export function Page<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      data: Type.Array(item),
      next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page.' }),
    },
    { description },
  );
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Rows per page (1-200).' })),
  cursor: Type.Optional(Type.String({ maxLength: 500, description: 'The `next_cursor` of the previous page.' })),
};

export const IfMatchHeader = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag from the last read; required for changes.', examples: ['"3"'] })),
});

export const OrgParams = Type.Object({ org: Id });
