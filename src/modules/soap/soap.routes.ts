import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { AppError, appError } from '../../http/app-error.js';
import type { AppDeps } from '../../http/deps.js';
import { toAppError } from '../../http/problem-handler.js';
import type { CredentialVerifier } from '../api-auth/credential-verifier.js';
import { createSoapEndpoint } from './soap-endpoint.js';
import { CONTENT_TYPE, type SoapVersion } from './soap-fault.js';
import { soapOperations } from './soap-operations.js';
import { SOAP_PATH } from './soap-wsdl.js';

/** SOAP 1.1 §6.1.1 sends envelopes as text/xml, SOAP 1.2 as application/soap+xml (RFC 3902). */
const XML_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];
const XML_RESPONSE = CONTENT_TYPE['1.1'];
/** RFC 3902 §3: the SOAP 1.2 action travels as a Content-Type parameter. */
const ACTION_PARAMETER = /;\s*action\s*=\s*("[^"]*"|[^;\s]*)/i;
const WSDL_QUERY = /^(wsdl|singlewsdl)$/i;

const xmlDoc = (description: string) => ({ description, content: { 'text/xml': { schema: { type: 'string' } } } });

/**
 * The SOAP endpoint of API v2 (issue #6), SOAP 1.1 and 1.2: POST /v2/api.svc, the WSDL at GET
 * /v2/api.svc?wsdl. An encapsulated plugin: the XML body parser and the fault-rendering error
 * handler apply to these two routes only, so the REST API still answers 415 to XML and
 * problem+json to errors. Requests pass through Fastify (body limit, request ids, logs, metrics)
 * before the soap package sees them.
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

    /** The version a request's faults are written in: its envelope's, else its Content-Type's. */
    const versions = new WeakMap<object, SoapVersion>();
    const versionFor = (request: FastifyRequest): SoapVersion =>
      versions.get(request) ?? (String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/soap+xml') ? '1.2' : '1.1');

    app.addContentTypeParser(XML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

    // Errors before an operation runs (oversize body, wrong media type, a refused envelope) are
    // faults too, with the status REST gives the same problem.
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      let problem = toAppError(error);
      if (problem.code === 'request.unsupported_media_type') problem = new AppError(problem.code, 'Send the envelope as text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).');
      if (problem.status >= 500) request.log.error({ err: error }, 'unhandled error');
      else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
      for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
      calls.inc({ operation: 'unknown', status_code: String(problem.status) });
      const version = versionFor(request);
      return reply.code(problem.status).type(CONTENT_TYPE[version]).serializer(String).send(endpoint.faultXml(problem, request.id, version));
    });

    app.get(SOAP_PATH, {
      schema: {
        operationId: 'getSoapWsdl', tags: ['Consumption API'], summary: 'SOAP: the WSDL',
        description: 'GET /v2/api.svc?wsdl: the WSDL 1.1 (document/literal; SOAP 1.1 and SOAP 1.2 bindings) of the SOAP endpoint, with its XSD inline and the address taken from PUBLIC_URL. See docs/soap.md.',
        security: [],
        response: { 200: xmlDoc('The WSDL.'), 400: xmlDoc('A SOAP fault: ask for ?wsdl.') },
      },
    }, async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      if (!Object.keys(query).some((key) => WSDL_QUERY.test(key))) {
        throw appError('request.invalid', `GET ${SOAP_PATH}?wsdl returns the WSDL; operations are called with POST and a SOAP envelope.`);
      }
      return reply.type(XML_RESPONSE).serializer(String).send(endpoint.wsdl);
    });

    app.post(SOAP_PATH, {
      schema: {
        operationId: 'callSoapOperation', tags: ['Consumption API'], summary: 'SOAP: call an operation',
        description: 'The API v2 over SOAP 1.1 (text/xml) and SOAP 1.2 (application/soap+xml) for integrators on SOAP stacks: GetCurrentAccountInfo (API user credentials: HTTP Basic, WS-Security UsernameToken PasswordText, or username/password elements), API user management (ListApiUsers, GetApiUser, CreateApiUser, UpdateApiUser, DisableApiUser, EnableApiUser, DeleteApiUser, ResendInvite) and VerifyCredential (an administrator\'s personal access token). Faults carry the REST problem code in detail/ApiFault/code and the same HTTP status as REST. See docs/soap.md.',
        security: [{ apiUserBasic: [] }, { apiUserKey: [] }, { accessToken: [] }],
        body: { content: { 'text/xml': { schema: { type: 'string', description: 'A SOAP 1.1 envelope with one operation element in soap:Body (SOAP 1.2: application/soap+xml).' } } } },
        response: { 200: xmlDoc('The operation\'s response envelope.'), 400: xmlDoc('A SOAP fault; other statuses mirror the REST API (401, 403, 404, 409, 412, 413, 415, 428, 429).') },
      },
    }, async (request, reply) => {
      if (typeof request.body !== 'string') {
        throw appError('request.unsupported_media_type', 'Send the envelope as text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2).');
      }
      const xml = request.body;
      const version = endpoint.versionOf(xml) ?? versionFor(request);
      versions.set(request, version);
      const action = version === '1.1'
        ? (request.headers.soapaction as string | undefined)
        : ACTION_PARAMETER.exec(String(request.headers['content-type']))?.[1];
      const operation = endpoint.operationOf(xml, version, action);
      const result = await endpoint.process(xml, version, request, reply);
      calls.inc({ operation, status_code: String(result.statusCode) });
      return reply.code(result.statusCode as 200).type(CONTENT_TYPE[version]).serializer(String).send(result.body);
    });
  };
}
