import { AppError, type ErrorCode } from '../../http/app-error.js';
import { SOAP_NAMESPACE } from './soap-wsdl.js';

export type SoapVersion = '1.1' | '1.2';

/** SOAP 1.1 §4.1.2 and SOAP 1.2 Part 1 §5.1: the envelope namespace names the version. */
export const ENVELOPE_NAMESPACE: Record<SoapVersion, string> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};

/** SOAP 1.1 §6.1.1 text/xml; SOAP 1.2 Part 2 §7.1.4 (RFC 3902) application/soap+xml. */
export const CONTENT_TYPE: Record<SoapVersion, string> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

/**
 * A fault as the `soap` package serializes it, with the HTTP status in `statusCode`.
 *
 * SOAP 1.1 (§4.4): `faultcode` soap:Client for the caller's mistakes, soap:Server for ours;
 * `faultstring` the human detail; `detail/ApiFault` the REST problem's code, status and detail.
 * SOAP 1.2 (Part 1 §5.4): the same as `Code/Value` soap:Sender or soap:Receiver, `Reason/Text`
 * and `Detail/ApiFault`.
 *
 * HTTP status: SOAP 1.1 §6.2 and WS-I BP R1126 answer every fault with 500 (SOAP 1.2 Part 2
 * §7.5.2.2: 400 for Sender, 500 for Receiver). We answer with the status the REST API gives the
 * same problem (400, 401, 403, 404, 409, 412, 413, 415, 428, 429), so a client's mistake is never
 * logged as a server error and proxies, rate limiters and metrics see what happened.
 */
export type SoapFault =
  | { faultcode: 'soap:Client' | 'soap:Server' | 'soap:MustUnderstand'; faultstring: string; detail: { ApiFault: Record<string, unknown> }; statusCode: number }
  | { Code: { Value: 'soap:Sender' | 'soap:Receiver' | 'soap:MustUnderstand' }; Reason: { Text: { attributes: Record<string, string>; $value: string } }; Detail: { $xml: string }; statusCode: number };

/** The fault detail: what the REST problem+json carries, element for element. */
export function apiFaultOf(error: AppError, requestId: string): Record<string, unknown> {
  const { errors, warning, retry_after: retryAfter } = error.extra;
  const apiFault: Record<string, unknown> = {
    attributes: { xmlns: SOAP_NAMESPACE },
    code: error.code,
    status: error.status,
    title: error.title,
    detail: error.detail,
    instance: requestId,
  };
  if (errors && errors.length > 0) apiFault.errors = { error: errors.map((e) => ({ location: e.location, pointer: e.pointer, detail: e.detail })) };
  if (typeof warning === 'string') apiFault.warning = warning;
  if (typeof retryAfter === 'number') apiFault.retry_after = retryAfter;
  return apiFault;
}

/**
 * @param serializeDetail writes ApiFault as XML (SOAP 1.2 only: the soap package would put the
 *   detail's elements in the envelope namespace otherwise)
 * @example faultOf(appError('api_user.not_found', 'No API user …'), 'req-1', '1.1', toXml)
 */
export function faultOf(error: AppError, requestId: string, version: SoapVersion, serializeDetail: (apiFault: Record<string, unknown>) => string): SoapFault {
  const apiFault = apiFaultOf(error, requestId);
  const serverSide = error.status >= 500;
  // SOAP 1.1 §4.4.1 and SOAP 1.2 Part 1 §5.4.6: a mandatory header block not understood has a fault code of its own.
  const mustUnderstand = error.code === 'request.must_understand';
  if (version === '1.1') {
    return { faultcode: mustUnderstand ? 'soap:MustUnderstand' : serverSide ? 'soap:Server' : 'soap:Client', faultstring: error.detail, detail: { ApiFault: apiFault }, statusCode: error.status };
  }
  return {
    Code: { Value: mustUnderstand ? 'soap:MustUnderstand' : serverSide ? 'soap:Receiver' : 'soap:Sender' },
    Reason: { Text: { attributes: { 'xml:lang': 'en' }, $value: error.detail } },
    Detail: { $xml: serializeDetail(apiFault) },
    statusCode: error.status,
  };
}

/** The codes of an envelope refused before any operation runs (docs/soap.md "Limits and refused envelopes"). */
export type EnvelopeProblem = Extract<ErrorCode, 'request.malformed_xml' | 'request.dtd_not_allowed' | 'request.xml_too_complex' | 'request.not_soap_envelope' | 'request.unknown_operation' | 'request.must_understand'>;

/**
 * A 400 about the envelope itself; `at` names the offending element, as REST names a field.
 * @example refusedEnvelope('request.unknown_operation', 'There is no operation Nope.', { pointer: '/Envelope/Body/Nope', detail: 'is not an operation' })
 */
export function refusedEnvelope(code: EnvelopeProblem, detail: string, at?: { pointer: string; detail: string }): AppError {
  return new AppError(code, detail, at ? { errors: [{ location: 'body', ...at }] } : {});
}
