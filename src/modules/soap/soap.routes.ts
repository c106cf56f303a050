import type { FastifyError, FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { AppError, appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { toAppError } from '../../http/problem-handler.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { createSoapEndpoint } from './soap-endpoint.js';
import { soapOperations } from './soap-operations.js';
import { SOAP_PATH } from './soap-wsdl.js';

/** SOAP 1.1 §6.1.1 sends envelopes as text/xml; application/soap+xml (1.2) is parsed to say so. */
const XML_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];
const XML_RESPONSE = 'text/xml; charset=utf-8';
const WSDL_QUERY = /^(wsdl|singlewsdl)$/i;

const xmlDoc = (description: string) => ({ description, content: { 'text/xml': { schema: { type: 'string' } } } });

/**
 * The SOAP endpoint of API v2 (issue #6): POST /v2/api.svc, WSDL at GET /v2/api.svc?wsdl. An
 * encapsulated plugin: the XML body parser and the fault-rendering error handler apply to these
 * two routes only, so the REST API still answers 415 to XML and problem+json to errors. Requests
 * pass through Fastify (body limit, request ids, logs, metrics) before the soap package sees them.
 */
export function soapRoutes(deps: AppDeps, verifier: CredentialVerifier, metrics: Registry) {
  return async (app: FastifyInstance) => {
    const endpoint = await createSoapEndpoint(deps.config.publicUrl, soapOperations(deps, verifier));
    const calls = new Counter({
      name: 'apiusers_soap_calls_total',
      help: 'SOAP calls by operation (unknown when the envelope names none) and HTTP status.',
      labelNames: ['operation', 'status_code'],
      registers: [metrics],
    });

    app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

    // Errors before an operation runs (oversize body, wrong media type, a refused envelope) are
    // faults too, with the status REST gives the same problem.
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      let problem = toAppError(error);
      if (problem.code === 'request.unsupported_media_type') problem = new AppError(problem.code, 'Send the SOAP 1.1 envelope as text/xml; charset=utf-8.');
      if (problem.status >= 500) request.log.error({ err: error }, 'unhandled error');
      else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
      for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
      calls.inc({ operation: 'unknown', status_code: String(problem.status) });
      return reply.code(problem.status).type(XML_RESPONSE).serializer(String).send(endpoint.faultXml(problem, request.id));
    });

    app.get(SOAP_PATH, {
      schema: {
        operationId: 'getSoapWsdl', tags: ['Consumption API'], summary: 'SOAP: the WSDL',
        description: 'GET /v2/api.svc?wsdl: the WSDL 1.1 (document/literal, SOAP 1.1) of the SOAP endpoint, with its XSD inline and the address taken from PUBLIC_URL. See docs/soap.md.',
        security: [],
        response: { 200: xmlDoc('The WSDL.'), 400: xmlDoc('A SOAP fault: ask for ?wsdl.') },
      },
    }, async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      if (!Object.keys(query).some((key) => WSDL_QUERY.test(key))) {
        throw appError('request.invalid', `GET ${SOAP_PATH}?wsdl returns the WSDL; operations are called with POST and a SOAP 1.1 envelope.`);
      }
      return reply.type(XML_RESPONSE).serializer(String).send(endpoint.wsdl);
    });

    app.post(SOAP_PATH, {
      schema: {
        operationId: 'callSoapOperation', tags: ['Consumption API'], summary: 'SOAP: call an operation',
        description: 'The API v2 over SOAP 1.1 for integrators on SOAP stacks: GetCurrentAccountInfo (API user credentials: HTTP Basic, WS-Security UsernameToken PasswordText, or username/password elements), API user management (ListApiUsers, GetApiUser, CreateApiUser, UpdateApiUser, DisableApiUser, EnableApiUser, DeleteApiUser, ResendInvite) and VerifyCredential (an administrator\'s personal access token). Faults carry the REST problem code in detail/ApiFault/code and the same HTTP status as REST. See docs/soap.md.',
        security: [{ apiUserBasic: [] }, { apiUserKey: [] }, { accessToken: [] }],
        body: { content: { 'text/xml': { schema: { type: 'string', description: 'A SOAP 1.1 envelope with one operation element in soap:Body.' } } } },
        response: { 200: xmlDoc('The operation\'s response envelope.'), 400: xmlDoc('A SOAP fault; other statuses mirror the REST API (401, 403, 404, 409, 412, 413, 415, 428, 429).') },
      },
    }, async (request, reply) => {
      if (typeof request.body !== 'string') {
        throw appError('request.unsupported_media_type', 'Send the SOAP 1.1 envelope as text/xml; charset=utf-8.');
      }
      const operation = endpoint.operationOf(request.body, request.headers.soapaction as string | undefined);
      const result = await endpoint.process(request.body, request, reply);
      calls.inc({ operation, status_code: String(result.statusCode) });
      return reply.code(result.statusCode as 200).type(XML_RESPONSE).serializer(String).send(result.body);
    });
  };
}
