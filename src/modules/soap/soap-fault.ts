import { AppError, type FieldError } from '../../http/app-error.js';
import { SOAP_NAMESPACE } from './soap-wsdl.js';

/**
 * A SOAP 1.1 fault (§4.4) as the `soap` package serializes it: `faultcode` soap:Client for the
 * caller's mistakes, soap:Server for ours; `faultstring` the human detail; `detail` carries
 * `ApiFault` with the same code, status and detail as the REST problem.
 *
 * HTTP status: SOAP 1.1 §6.2 and WS-I BP R1126 answer every fault with 500. We answer with the
 * status the REST API gives the same problem (400, 401, 403, 404, 409, 412, 413, 415, 428, 429),
 * so a client's mistake is never logged as a server error and proxies, rate limiters and metrics
 * see what happened; SOAP stacks read the fault from the body whatever the status.
 */
export interface SoapFault {
  faultcode: 'soap:Client' | 'soap:Server';
  faultstring: string;
  detail: { ApiFault: Record<string, unknown> };
  statusCode: number;
}

/** Thrown through the `soap` server: it renders `Fault` with the status in `Fault.statusCode`. */
export interface ThrownFault {
  Fault: SoapFault;
}

/**
 * @example faultOf(appError('api_user.not_found', 'No API user …'), 'req-1')
 */
export function faultOf(error: AppError, requestId: string): SoapFault {
  const { errors, warning, retry_after: retryAfter } = error.extra;
  const serverSide = error.status >= 500;
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
  return {
    faultcode: serverSide ? 'soap:Server' : 'soap:Client',
    faultstring: error.detail,
    detail: { ApiFault: apiFault },
    statusCode: error.status,
  };
}

/**
 * A 400 about the envelope itself; `at` names the offending element, as REST names a field.
 * @example invalidEnvelope('There is no operation Nope.', { pointer: '/Envelope/Body/Nope', detail: 'is not an operation' })
 */
export function invalidEnvelope(detail: string, at?: FieldError['pointer'] | { pointer: string; detail: string }): AppError {
  if (at === undefined) return new AppError('request.invalid', detail);
  const field = typeof at === 'string' ? { pointer: at, detail } : at;
  return new AppError('request.invalid', detail, { errors: [{ location: 'body', ...field }] });
}
