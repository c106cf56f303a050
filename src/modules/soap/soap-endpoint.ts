import type { FastifyReply, FastifyRequest } from 'fastify';
import { listen, type Server, type WSDL } from 'soap';
import { AppError } from '../../http/app-error.js';
import { toAppError } from '../../http/problem-handler.js';
import { assertKnownElements, plain, type SoapArgs } from './soap-arguments.js';
import { faultOf, invalidEnvelope, type SoapFault } from './soap-fault.js';
import type { SoapCall } from './soap-operations.js';
import { assertSafeXml } from './xml-guards.js';
import { apiWsdl, OPERATIONS, shapeResponse, SOAP_NAMESPACE, SOAP_PATH } from './soap-wsdl.js';

/** The Fastify request and reply of a call, carried through the soap package to the operation. */
const CALL = Symbol('soap call');
const SOAP_12_ENVELOPE = 'http://www.w3.org/2003/05/soap-envelope';

type Operation = (call: SoapCall) => Promise<Record<string, unknown>>;
interface CallState { request: FastifyRequest; reply: FastifyReply }

/** The parts of soap's Server used here that its typings keep private. */
interface SoapServerInternals {
  _sendError(fault: SoapFault, callback: (xml: string, statusCode?: number) => void): void;
}

export interface SoapEndpoint {
  readonly wsdl: string;
  /** The operation a request envelope names, after the checks that need no authentication. @throws AppError 400 */
  operationOf(xml: string, soapAction: string | undefined): string;
  /** Runs one checked envelope through the soap package: the response XML and its HTTP status. */
  process(xml: string, request: FastifyRequest, reply: FastifyReply): Promise<{ statusCode: number; body: string }>;
  /** A fault envelope, built by the soap package. */
  faultXml(error: AppError, requestId: string): string;
}

/**
 * Builds the WSDL and the soap package's Server once, at start-up, without letting it listen on
 * anything: Fastify routes hand it bodies that are already size-limited and checked.
 * @example const endpoint = await createSoapEndpoint(publicUrl, soapOperations(deps, verifier));
 */
export async function createSoapEndpoint(publicUrl: string, operations: Record<string, Operation>): Promise<SoapEndpoint> {
  const wsdlXml = apiWsdl(publicUrl);
  const methods: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(operations)) {
    methods[name] = async (args: unknown, _callback: unknown, soapHeaders: Record<string, unknown> | undefined, req: { headers: Record<symbol, CallState> }) => {
      const { request, reply } = req.headers[CALL]!;
      try {
        const { username, password, ...rest } = plain(args ?? {}) as SoapArgs;
        assertKnownElements(name, { username, password, ...rest });
        const text = (value: unknown) => (value === undefined ? undefined : value === null ? '' : String(value));
        return shapeResponse(name, await operation({ request, reply, soapHeaders, bodyUsername: text(username), bodyPassword: text(password), args: rest }));
      } catch (error) {
        throw { Fault: faultFor(error, request, reply) };
      }
    };
  }
  // returnFault: an element naming no operation fails the parse with a fault we can recognise;
  // handleNilAsNull: xsi:nil="true" reads as null (not a dropped element).
  const options = { path: SOAP_PATH, services: { ApiService: { ApiServiceSoap: methods } }, xml: wsdlXml, uri: '', returnFault: true, handleNilAsNull: true, suppressStack: true };
  const server = await new Promise<Server>((resolve, reject) => {
    const created = listen(null, { ...options, callback: (error: unknown) => (error ? reject(error) : resolve(created)) } as never);
  });
  const wsdl = (server as unknown as { wsdl: WSDL }).wsdl;

  const faultXml = (error: AppError, requestId: string): string => {
    let xml = '';
    (server as unknown as SoapServerInternals)._sendError(faultOf(error, requestId), (envelope) => { xml = envelope; });
    return xml;
  };

  return {
    wsdl: wsdlXml,
    faultXml,
    operationOf(xml, soapAction) {
      assertSafeXml(xml);
      if (xml.includes(SOAP_12_ENVELOPE)) throw invalidEnvelope(`SOAP 1.2 envelopes are not supported; send SOAP 1.1 (envelope namespace http://schemas.xmlsoap.org/soap/envelope/, Content-Type text/xml).`);
      let parsed: { Body?: Record<string, unknown> } | null;
      try {
        parsed = wsdl.xmlToObject(xml) as typeof parsed;
      } catch (error) {
        const detail = String((error as { Fault?: { detail?: unknown } }).Fault?.detail ?? (error as Error).message ?? error);
        const unknown = /Could not find message (\S+)/.exec(detail)?.[1];
        if (unknown) throw invalidEnvelope(`There is no operation ${unknown}; the WSDL (GET ${SOAP_PATH}?wsdl) lists them: ${Object.keys(OPERATIONS).join(', ')}.`, { pointer: `/Envelope/Body/${unknown}`, detail: 'is not an operation of this service' });
        throw invalidEnvelope(`The body is not well-formed XML: ${detail.replace(/^Error: /, '').split('\n')[0]}.`);
      }
      const children = Object.keys(parsed?.Body ?? {}).filter((key) => key !== 'attributes');
      if (!parsed || typeof parsed.Body !== 'object' || parsed.Body === null) throw invalidEnvelope('This is not a SOAP 1.1 envelope: expected soap:Envelope with a soap:Body.');
      if (children.length !== 1) throw invalidEnvelope(`The soap:Body must hold exactly one operation element; it holds ${children.length}.`, { pointer: '/Envelope/Body', detail: 'must hold exactly one operation element' });
      const operation = children[0]!;
      if (!(operation in OPERATIONS)) throw invalidEnvelope(`There is no operation ${operation}; the WSDL (GET ${SOAP_PATH}?wsdl) lists them.`, { pointer: `/Envelope/Body/${operation}`, detail: 'is not an operation of this service' });
      // SOAP 1.1 §6.1.1: SOAPAction names the intent; when sent, it must be the body's operation.
      const action = soapAction?.trim().replace(/^"(.*)"$/, '$1') ?? '';
      if (action !== '' && action !== `${SOAP_NAMESPACE}/${operation}` && action !== operation) {
        throw new AppError('request.invalid', `SOAPAction "${action}" does not match the operation ${operation} in the body; send "${SOAP_NAMESPACE}/${operation}".`, {
          errors: [{ location: 'headers', pointer: '/soapaction', detail: `must be "${SOAP_NAMESPACE}/${operation}"` }],
        });
      }
      return operation;
    },
    async process(xml, request, reply) {
      // Dispatch by the body element (WS-I BP R2710: document/literal operations have unique
      // element names); SOAPAction was checked above. The call state rides in a symbol key.
      const headers = { 'content-type': 'text/xml; charset=utf-8', [CALL]: { request, reply } } as unknown as Record<string, string>;
      const result = await server.processRequest(xml, { url: SOAP_PATH, method: 'POST', headers });
      return { statusCode: result.statusCode, body: result.body };
    },
  };
}

/** Any error of an operation as a SOAP fault; the REST headers (WWW-Authenticate, Retry-After) go on the reply. */
export function faultFor(error: unknown, request: FastifyRequest, reply: FastifyReply): SoapFault {
  const appErr = toAppError(error as Error);
  for (const [name, value] of Object.entries(appErr.extra.headers ?? {})) reply.header(name, value);
  if (appErr.status >= 500) request.log.error({ err: error }, 'unhandled error in a SOAP operation');
  else request.log.info({ code: appErr.code, status: appErr.status }, appErr.detail);
  return faultOf(appErr, request.id);
}
