/**
 * pino redaction: secrets never reach a log line, whatever a future log call passes.
 * Fastify's request serializer logs method and URL only; these guard everything else.
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.password_confirmation',
  '*.secret',
  '*.token',
  '*.csrf_token',
  '*.secretKey',
  'body.password',
  'body.token',
];
