import { AppError } from '../../http/app-error.js';
import { refusedEnvelope } from './soap-fault.js';

/** Refused before parsing: a DTD is how XXE (CWE-611) and entity expansion (CWE-776) get in. */
const DTD = /<!DOCTYPE|<!ENTITY/i;
/** Ours nest 6 deep (Envelope/Body/Op/api_user/applications/application); a WS-Security header 4. */
export const MAX_XML_DEPTH = 32;
/** The largest request (CreateApiUser with 50 applications and a WS-Security header) has under 100. */
export const MAX_XML_ELEMENTS = 2000;
const TAG = /<(\/?)[A-Za-z_][^<>]*?(\/?)>/g;
const START_TAG = /<[A-Za-z_][^<>]*>/g;
/**
 * SOAP 1.1 §5.4.1 multi-reference attributes. This service is document/literal (WS-I BP 1.1
 * R2706) and its XSD declares neither; the soap package would resolve them through a plain
 * object, where id="__proto__" writes to Object.prototype for the whole process.
 */
const REFERENCE_ATTRIBUTE = /\s(?:id|href)\s*=/;

/**
 * The deepest element nesting and the number of elements of a document, counted without parsing
 * it, stopping once past a limit. Comments or CDATA holding tags may be over-counted; never
 * under-counted.
 * @example xmlShape('<a><b/></a>', { depth: 32, elements: 2000 }) // { depth: 2, elements: 2 }
 */
export function xmlShape(xml: string, limits: { depth: number; elements: number }): { depth: number; elements: number } {
  let depth = 0;
  let deepest = 0;
  let elements = 0;
  for (const [, closing, selfClosing] of xml.matchAll(TAG)) {
    if (closing) {
      depth--;
      continue;
    }
    elements++;
    deepest = Math.max(deepest, depth + 1);
    if (!selfClosing) depth++;
    if (deepest > limits.depth || elements > limits.elements) break;
  }
  return { depth: deepest, elements };
}

/**
 * The checks made on the raw body before any XML parser sees it: nothing empty, no DTD (so no
 * entity is ever declared, expanded or fetched), no id/href references, no nesting deep enough to exhaust a recursive
 * walk of the parse, and no more elements than an operation can use (parsing costs CPU per
 * element, and this runs before authentication). @throws AppError 400
 */
export function assertSafeXml(xml: string): void {
  if (xml.trim() === '') throw refusedEnvelope('request.malformed_xml', 'The body is empty; send a SOAP envelope.');
  if (DTD.test(xml)) throw refusedEnvelope('request.dtd_not_allowed', 'Document type declarations (<!DOCTYPE>, <!ENTITY>) are not accepted: entities are neither expanded nor fetched. Remove the DTD.');
  for (const [tag] of xml.matchAll(START_TAG)) {
    if (REFERENCE_ATTRIBUTE.test(tag)) throw new AppError('request.invalid', 'SOAP encoding references (id and href attributes, SOAP 1.1 §5.4.1) are not accepted: this service is document/literal. Send each value in its element.');
  }
  const shape = xmlShape(xml, { depth: MAX_XML_DEPTH, elements: MAX_XML_ELEMENTS });
  if (shape.depth > MAX_XML_DEPTH) throw refusedEnvelope('request.xml_too_complex', `Elements are nested more than ${MAX_XML_DEPTH} deep; no operation of this service needs that.`);
  if (shape.elements > MAX_XML_ELEMENTS) throw refusedEnvelope('request.xml_too_complex', `The envelope has more than ${MAX_XML_ELEMENTS} elements; no operation of this service needs that many.`);
}
