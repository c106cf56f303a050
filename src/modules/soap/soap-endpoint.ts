import type { FastifyReply, FastifyRequest } from 'fastify';
import { listen, type Server, type WSDL } from 'soap';
import { AppError } from '../../http/app-error.js';
import { toAppError } from '../../http/problem-handler.js';
import { assertKnownElements, plain, type SoapArgs } from './soap-arguments.js';
import { CONTENT_TYPE, ENVELOPE_NAMESPACE, faultOf, refusedEnvelope, type SoapFault, type SoapVersion } from './soap-fault.js';
import { LastApplicationUserError } from '../api-users/last-application-guard.js';
import type { SoapCall } from './soap-operations.js';
import { assertSafeXml } from './xml-guards.js';
import { assertHeadersUnderstood, notUnderstoodHeaders, type NotUnderstood } from './soap-headers.js';
import { apiWsdl, OPERATIONS, shapeResponse, SOAP_NAMESPACE, SOAP_PATH } from './soap-wsdl.js';
import { RAW_TEXT, typedArguments } from './xsd-values.js';

/** The Fastify request and reply of a call, carried through the soap package to the operation. */
const CALL = Symbol('soap call');
/**
 * The Envelope start tag. Its attributes are matched up to the next `<` (which no attribute value
 * may hold, XML 1.0 §3.1), never to the end of the body: `[^>]*` made a body of 80,000
 * unterminated `<x:Envelope ` tags cost minutes of CPU (each start scanned the whole rest).
 */
const ENVELOPE_TAG = /<(?:([A-Za-z_][\w.-]*):)?Envelope(?=[\s/>])([^<]*)>/;

/**
 * The local name of the first element in the envelope's Body, read without parsing, so a name
 * that is no operation is refused before the soap package runs: it would look the name up in
 * plain objects (where `constructor` is found on Object.prototype) or parse a request's
 * soap:Fault as a fault answer. Comments before it are not skipped: then the parse decides.
 */
function firstBodyElement(xml: string): string | undefined {
  const prefix = ENVELOPE_TAG.exec(xml)?.[1];
  const qualified = prefix ? `${prefix.replace(/[.-]/g, '\\$&')}:` : '';
  // [^<]*, not [^>]*: see ENVELOPE_TAG.
  const name = new RegExp(`<${qualified}Body(?=[\\s/>])[^<]*>\\s*<([^\\s/>!?]+)`).exec(xml)?.[1];
  return name?.slice(name.indexOf(':') + 1);
}

type Operation = (call: SoapCall) => Promise<Record<string, unknown>>;
interface CallState { request: FastifyRequest; reply: FastifyReply; version: SoapVersion }

/** The parts of soap's Server used here (its typings keep `wsdl` and `_sendError` private). */
interface SoapServer {
  processRequest: Server['processRequest'];
  wsdl: WSDL;
  _sendError(fault: SoapFault, callback: (xml: string, statusCode?: number) => void): void;
}

export interface SoapEndpoint {
  readonly wsdl: string;
  /**
   * The SOAP version an envelope declares, read from the namespace of its Envelope element
   * without parsing; null when there is no Envelope element.
   */
  versionOf(xml: string): SoapVersion | null;
  /** The operation an envelope names, after the checks that need no authentication. @throws AppError 400 */
  operationOf(xml: string, version: SoapVersion, soapAction: string | undefined): string;
  /** Runs one checked envelope through the soap package: the response XML and its HTTP status. */
  process(xml: string, version: SoapVersion, request: FastifyRequest, reply: FastifyReply): Promise<{ statusCode: number; body: string }>;
  /** A fault envelope, built by the soap package. */
  faultXml(error: AppError, requestId: string, version: SoapVersion): string;
}

const unknownOperation = (name: string) => refusedEnvelope('request.unknown_operation',
  `There is no operation ${name}; the WSDL (GET ${SOAP_PATH}?wsdl) lists them: ${Object.keys(OPERATIONS).join(', ')}.`,
  { pointer: `/Envelope/Body/${name}`, detail: 'is not an operation of this service' });

/** Any error of an operation as a SOAP fault; the REST headers (WWW-Authenticate, Retry-After) go on the reply. */
function logged(error: unknown, request: FastifyRequest, reply: FastifyReply): AppError {
  let appErr = toAppError(error as Error);
  // The last-user guard's warning stays word for word; its hint says how SOAP confirms.
  if (appErr instanceof LastApplicationUserError) appErr = new AppError(appErr.code, appErr.detailFor('soap'), appErr.extra, { cause: appErr });
  for (const [name, value] of Object.entries(appErr.extra.headers ?? {})) reply.header(name, value);
  if (appErr.status >= 500) request.log.error({ err: error }, 'unhandled error in a SOAP operation');
  else request.log.info({ code: appErr.code, status: appErr.status }, appErr.detail);
  return appErr;
}

async function createServer(wsdlXml: string, methods: Record<string, unknown>, version: SoapVersion): Promise<SoapServer> {
  // returnFault: an element naming no operation fails the parse with a fault we can recognise;
  // handleNilAsNull: xsi:nil="true" reads as null (not a dropped element); customDeserializer:
  // typed values stay text, for typedArguments to check (soap's own conversion is lax);
  // preserveWhitespace (set below: soap copies it into the WSDL's options for clients only):
  // text as sent, where soap would trim it, passwords included.
  const options = {
    path: SOAP_PATH, services: { ApiService: { ApiServiceSoap: methods, ApiServiceSoap12: methods } }, xml: wsdlXml, uri: '',
    returnFault: true, handleNilAsNull: true, suppressStack: true, forceSoap12Headers: version === '1.2', customDeserializer: RAW_TEXT,
  };
  const server = await new Promise<SoapServer>((resolve, reject) => {
    const created = listen(null, { ...options, callback: (error: unknown) => (error ? reject(error) : resolve(created as unknown as SoapServer)) } as never);
  });
  server.wsdl.options.preserveWhitespace = true;
  return server;
}

/**
 * Builds the WSDL and the soap package's Servers (one per SOAP version: the package writes
 * envelopes of one version per WSDL) once, at start-up, without letting them listen on anything:
 * Fastify routes hand them bodies that are already size-limited and checked.
 * @example const endpoint = await createSoapEndpoint(publicUrl, soapOperations(deps, verifier));
 */
export async function createSoapEndpoint(publicUrl: string, operations: Record<string, Operation>): Promise<SoapEndpoint> {
  const wsdlXml = apiWsdl(publicUrl);
  /** Our address: a header block may name it as its actor (1.1) or role (1.2). */
  const address = `${publicUrl}${SOAP_PATH}`;
  const methods: Record<string, unknown> = {};
  const servers = {} as Record<SoapVersion, SoapServer>;
  const faultOfVersion = (error: AppError, requestId: string, version: SoapVersion) =>
    faultOf(error, requestId, version, (apiFault) => servers['1.2'].wsdl.objectToDocumentXML('ApiFault', apiFault, undefined as never));
  for (const [name, operation] of Object.entries(operations)) {
    methods[name] = async (args: unknown, _callback: unknown, soapHeaders: Record<string, unknown> | undefined, req: { headers: Record<symbol, CallState> }) => {
      const { request, reply, version } = req.headers[CALL]!;
      try {
        const given = plain(args ?? {});
        if (typeof given !== 'object' || given === null || Array.isArray(given)) {
          throw new AppError('request.invalid', `body /${name}: must hold elements, not text`, { errors: [{ location: 'body', pointer: `/${name}`, detail: 'must hold elements, not text' }] });
        }
        assertKnownElements(name, given as SoapArgs);
        const { username, password, ...rest } = typedArguments(name, given as SoapArgs);
        const text = (value: unknown) => (value === undefined ? undefined : value === null ? '' : String(value));
        return shapeResponse(name, await operation({ request, reply, soapHeaders, bodyUsername: text(username), bodyPassword: text(password), args: rest }));
      } catch (error) {
        throw { Fault: faultOfVersion(logged(error, request, reply), request.id, version) };
      }
    };
  }
  servers['1.1'] = await createServer(wsdlXml, methods, '1.1');
  servers['1.2'] = await createServer(wsdlXml, methods, '1.2');

  return {
    wsdl: wsdlXml,
    faultXml(error, requestId, version) {
      let xml = '';
      servers[version]._sendError(faultOfVersion(error, requestId, version), (envelope) => { xml = envelope; });
      // SOAP 1.2 Part 1 §5.4.8: a MustUnderstand fault names the blocks in NotUnderstood header
      // blocks. The fault's text is escaped, so the first <soap:Body> is the envelope's.
      const notUnderstood = error.extra.notUnderstood as NotUnderstood[] | undefined;
      if (version === '1.2' && error.code === 'request.must_understand' && notUnderstood?.length) {
        xml = xml.replace('<soap:Body>', `<soap:Header>${notUnderstoodHeaders('soap', notUnderstood)}</soap:Header><soap:Body>`);
      }
      return xml;
    },
    versionOf(xml) {
      const tag = ENVELOPE_TAG.exec(xml);
      if (!tag) return null;
      const declaration = new RegExp(`xmlns${tag[1] ? `:${tag[1]}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(tag[2]!);
      const namespace = declaration?.[1];
      if (namespace === ENVELOPE_NAMESPACE['1.1']) return '1.1';
      if (namespace === ENVELOPE_NAMESPACE['1.2']) return '1.2';
      // SOAP 1.1 §4.4.1 VersionMismatch: an envelope in any other namespace is refused.
      throw refusedEnvelope('request.not_soap_envelope', `The Envelope's namespace must be ${ENVELOPE_NAMESPACE['1.1']} (SOAP 1.1) or ${ENVELOPE_NAMESPACE['1.2']} (SOAP 1.2).`, { pointer: '/Envelope', detail: 'is in no SOAP namespace' });
    },
    operationOf(xml, version, soapAction) {
      assertSafeXml(xml);
      const first = firstBodyElement(xml);
      if (first !== undefined && !Object.hasOwn(OPERATIONS, first)) throw unknownOperation(first);
      let parsed: { Body?: Record<string, unknown> } | null;
      try {
        parsed = servers[version].wsdl.xmlToObject(xml) as typeof parsed;
      } catch (error) {
        // The parser's own errors (sax, and names missing from the WSDL) arrive as { Fault };
        // anything else is the soap package tripping over a name it looked up in a plain object
        // (an element or xsi:type called constructor, toString …): not ours to describe further.
        const fault = (error as { Fault?: { detail?: unknown } }).Fault;
        if (!fault) throw new AppError('request.invalid', `The envelope names an element or type this service does not declare; GET ${SOAP_PATH}?wsdl describes every message.`);
        const detail = String(fault.detail ?? '');
        const unknown = /Could not find message (\S+)/.exec(detail)?.[1];
        if (unknown) throw unknownOperation(unknown);
        throw refusedEnvelope('request.malformed_xml', `The body is not well-formed XML: ${detail.replace(/^Error: /, '').split('\n')[0]}.`);
      }
      if (!parsed || typeof parsed.Body !== 'object' || parsed.Body === null) throw refusedEnvelope('request.not_soap_envelope', 'This is not a SOAP envelope: expected soap:Envelope with a soap:Body.', { pointer: '/Envelope', detail: 'must be a SOAP Envelope with a Body' });
      const children = Object.keys(parsed.Body).filter((key) => key !== 'attributes');
      if (children.length !== 1) throw refusedEnvelope('request.not_soap_envelope', `The soap:Body must hold exactly one operation element; it holds ${children.length}.`, { pointer: '/Envelope/Body', detail: 'must hold exactly one operation element' });
      const operation = children[0]!;
      if (!Object.hasOwn(OPERATIONS, operation)) throw unknownOperation(operation);
      // SOAP 1.2 Part 1 §2.6: mandatory header blocks are checked before anything is processed
      // (the action, the credentials, the operation).
      assertHeadersUnderstood(xml, version, address);
      // SOAP 1.1 §6.1.1 SOAPAction, SOAP 1.2 Part 2 §7.1.4 the action parameter: when sent, it
      // must name the body's operation.
      const action = soapAction?.trim().replace(/^"(.*)"$/, '$1') ?? '';
      if (action !== '' && action !== `${SOAP_NAMESPACE}/${operation}` && action !== operation) {
        const where = version === '1.1' ? '/soapaction' : '/content-type';
        throw new AppError('request.invalid', `The action "${action}" does not match the operation ${operation} in the body; send "${SOAP_NAMESPACE}/${operation}".`, {
          errors: [{ location: 'headers', pointer: where, detail: `must name "${SOAP_NAMESPACE}/${operation}"` }],
        });
      }
      return operation;
    },
    async process(xml, version, request, reply) {
      // Dispatch by the body element (WS-I BP R2710: document/literal operations have unique
      // element names); the action was checked above. The call state rides in a symbol key.
      const headers = { 'content-type': CONTENT_TYPE[version], [CALL]: { request, reply, version } } as unknown as Record<string, string>;
      const result = await servers[version].processRequest(xml, { url: SOAP_PATH, method: 'POST', headers });
      return { statusCode: result.statusCode, body: result.body };
    },
  };
}
