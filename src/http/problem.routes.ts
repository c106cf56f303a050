import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appError, ERROR_CODES, type ErrorCode } from './app-error.js';
import { problems } from './schemas.js';

const ProblemType = Type.Object({
  code: Type.String({ examples: ['administrator.not_found'] }),
  status: Type.Integer({ examples: [404] }),
  title: Type.String({ examples: ['No such administrator'] }),
});

/** The `type` URL of every problem resolves here, so a developer can look a code up. */
export function problemRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/problems', {
      schema: {
        operationId: 'listProblemTypes', tags: ['Operations'], summary: 'List error codes', security: [],
        description: 'Every problem `code` the API can answer with, its HTTP status and title.',
        response: { 200: Type.Array(ProblemType) },
      },
    }, async () => Object.entries(ERROR_CODES).map(([code, [status, title]]) => ({ code, status, title })));

    app.get('/problems/:code', {
      schema: {
        operationId: 'getProblemType', tags: ['Operations'], summary: 'Describe an error code', security: [],
        description: 'The page a problem\'s `type` URL points to.',
        params: Type.Object({ code: Type.String({ maxLength: 100, examples: ['request.invalid'] }) }),
        response: { 200: ProblemType, ...problems(404) },
      },
    }, async (request) => {
      const entry = ERROR_CODES[request.params.code as ErrorCode];
      if (!entry) throw appError('request.not_found', `There is no problem type ${request.params.code}; GET /problems lists them.`);
      return { code: request.params.code, status: entry[0], title: entry[1] };
    });
  };
}
