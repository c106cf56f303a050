import { invalidEnvelope } from './soap-fault.js';

/** Refused before parsing: a DTD is how XXE (CWE-611) and entity expansion (CWE-776) get in. */
const DTD = /<!DOCTYPE|<!ENTITY/i;
/** Ours nest 6 deep (Envelope/Body/Op/api_user/applications/application); a WS-Security header 4. */
export const MAX_XML_DEPTH = 32;
const TAG = /<(\/?)[A-Za-z_][^<>]*?(\/?)>/g;

/**
 * The deepest element nesting of a document, counted without parsing it, stopping once past
 * `limit`. Comments or CDATA holding tags may be over-counted; never under-counted.
 * @example nestingDepth('<a><b/></a>', 32) // 2
 */
export function nestingDepth(xml: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (const [, closing, selfClosing] of xml.matchAll(TAG)) {
    if (closing) depth--;
    else if (selfClosing) deepest = Math.max(deepest, depth + 1);
    else if (++depth > deepest) {
      deepest = depth;
      if (deepest > limit) break;
    }
  }
  return deepest;
}

/**
 * The checks made on the raw body before any XML parser sees it: nothing empty, no DTD (so no
 * entity is ever declared, expanded or fetched), no nesting deep enough to exhaust a recursive
 * walk of the parse. @throws AppError 400
 */
export function assertSafeXml(xml: string): void {
  if (xml.trim() === '') throw invalidEnvelope('The body is empty; send a SOAP 1.1 envelope.');
  if (DTD.test(xml)) throw invalidEnvelope('Document type declarations (<!DOCTYPE>, <!ENTITY>) are not accepted: entities are neither expanded nor fetched. Remove the DTD.');
  if (nestingDepth(xml, MAX_XML_DEPTH) > MAX_XML_DEPTH) throw invalidEnvelope(`Elements are nested more than ${MAX_XML_DEPTH} deep; no operation of this service needs that.`);
}
