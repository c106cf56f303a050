import { AppError } from '../../http/app-error.js';
import { ENVELOPE_NAMESPACE, type SoapVersion } from './soap-fault.js';

/** The one header block this endpoint processes: OASIS WSS 1.0 `wsse:Security` (UsernameToken). */
export const WSSE_NAMESPACE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/**
 * The roles (SOAP 1.2 Part 1 §2.2, `env:role`) and actors (SOAP 1.1 §4.2.2, `soap:actor`) this
 * endpoint, the ultimate receiver, plays besides its own address. An absent (or empty) attribute
 * targets the ultimate receiver; SOAP 1.2's `role/none` and any other URI target someone else.
 */
const OUR_ROLES: Record<SoapVersion, readonly string[]> = {
  '1.1': ['http://schemas.xmlsoap.org/soap/actor/next'],
  '1.2': ['http://www.w3.org/2003/05/soap-envelope/role/next', 'http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver'],
};

/** A header block that is mandatory for us and not understood: its qualified name. */
export interface NotUnderstood { namespace: string; localName: string }

/** Comments, CDATA and processing instructions are skipped; tags give their name and attributes. */
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#(\d+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (value: string) => value.replace(ENTITY, (_m, hex?: string, dec?: string, name?: string) =>
  (name ? NAMED[name]! : String.fromCodePoint(hex ? Number.parseInt(hex, 16) : Number(dec))));
const split = (qname: string): [string, string] => {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
};

interface HeaderBlock { namespace: string; localName: string; attributes: Map<string, string> }

/**
 * The child elements of the envelope's Header, namespace-resolved (the soap package's parse drops
 * namespaces). Runs on XML the soap package has already parsed, so tags are well-formed; stops
 * at the end of the Header. Attributes are keyed `{namespace}localName`.
 */
function headerBlocks(xml: string, envelopeNamespace: string): HeaderBlock[] {
  const scopes: Map<string, string>[] = [new Map([['xml', XML_NAMESPACE]])];
  const path: string[] = [];
  const blocks: HeaderBlock[] = [];
  for (const [token, closing, qname, attributeText = '', selfClosing] of xml.matchAll(TOKEN)) {
    if (qname === undefined || token.startsWith('<!') || token.startsWith('<?')) continue;
    if (closing) {
      scopes.pop();
      const closed = path.pop();
      if (closed === 'Header' && path.length === 1) break;
      continue;
    }
    let scope = scopes.at(-1)!;
    const raw: [string, string][] = [];
    for (const [, name, double, single] of attributeText.matchAll(ATTRIBUTE)) {
      const value = decode(double ?? single ?? '');
      if (name !== 'xmlns' && !name!.startsWith('xmlns:')) {
        raw.push([name!, value]);
        continue;
      }
      if (scope === scopes.at(-1)) scope = new Map(scope);
      scope.set(name === 'xmlns' ? '' : name!.slice(6), value);
    }
    const [prefix, localName] = split(qname);
    const namespace = scope.get(prefix) ?? '';
    const inHeader = path.length === 2 && path[1] === 'Header';
    if (path.length === 1 && localName === 'Body' && namespace === envelopeNamespace) break;
    if (inHeader) {
      const attributes = new Map<string, string>();
      for (const [name, value] of raw) {
        const [attributePrefix, attributeLocal] = split(name);
        attributes.set(`{${attributePrefix ? scope.get(attributePrefix) ?? '' : ''}}${attributeLocal}`, value);
      }
      blocks.push({ namespace, localName, attributes });
    }
    if (selfClosing) continue;
    scopes.push(scope);
    // Only the Envelope's own Header counts (path[1]); deeper names are kept for depth only.
    path.push(path.length === 1 && namespace === envelopeNamespace ? localName : `${namespace} ${localName}`);
  }
  return blocks;
}

/**
 * SOAP 1.1 §4.2.3 and SOAP 1.2 Part 1 §5.2.3, §2.4: a header block targeted at us (no actor/role,
 * `next`, SOAP 1.2 `ultimateReceiver`, or our address) with `mustUnderstand` true (`1`/`true`)
 * must be understood, or the message is refused before anything else is processed. We understand
 * `wsse:Security` only; the others are ignored when optional.
 * @param address this endpoint's URL ($PUBLIC_URL/v2/api.svc), also a role of ours
 * @throws AppError 400 request.must_understand, its `notUnderstood` listing the blocks;
 *   400 request.invalid for a mustUnderstand value that is not an xs:boolean
 */
export function assertHeadersUnderstood(xml: string, version: SoapVersion, address: string): void {
  const envelopeNamespace = ENVELOPE_NAMESPACE[version];
  const roleAttribute = `{${envelopeNamespace}}${version === '1.1' ? 'actor' : 'role'}`;
  const notUnderstood: NotUnderstood[] = [];
  for (const block of headerBlocks(xml, envelopeNamespace)) {
    const flag = block.attributes.get(`{${envelopeNamespace}}mustUnderstand`)?.trim();
    if (flag === undefined || flag === '0' || flag === 'false') continue;
    if (flag !== '1' && flag !== 'true') {
      throw new AppError('request.invalid', `The mustUnderstand attribute of the header block ${block.localName} must be 1 or 0 (SOAP 1.2 also true or false).`, {
        errors: [{ location: 'body', pointer: `/Envelope/Header/${block.localName}`, detail: 'has a mustUnderstand that is not 1, 0, true or false' }],
      });
    }
    const role = block.attributes.get(roleAttribute)?.trim() ?? '';
    if (role !== '' && role !== address && !OUR_ROLES[version].includes(role)) continue;
    if (block.namespace === WSSE_NAMESPACE && block.localName === 'Security') continue;
    notUnderstood.push({ namespace: block.namespace, localName: block.localName });
  }
  if (notUnderstood.length === 0) return;
  const names = notUnderstood.map((n) => (n.namespace ? `{${n.namespace}}${n.localName}` : n.localName));
  throw new AppError('request.must_understand',
    `The header block${names.length > 1 ? 's' : ''} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} marked mustUnderstand but this service does not process ${names.length > 1 ? 'them' : 'it'}; it understands wsse:Security (${WSSE_NAMESPACE}) only. Remove the block, or send it without mustUnderstand.`, {
      errors: notUnderstood.map((n) => ({ location: 'body' as const, pointer: `/Envelope/Header/${n.localName}`, detail: 'is mandatory (mustUnderstand) and not understood by this service' })),
      notUnderstood,
    });
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/**
 * SOAP 1.2 Part 1 §5.4.8: one `NotUnderstood` header block per block that was not understood,
 * for the fault envelope's Header (`prefix` is the envelope's).
 * @example notUnderstoodHeaders('soap', [{ namespace: 'urn:x', localName: 'Tx' }]) // <soap:NotUnderstood qname="nu0:Tx" xmlns:nu0="urn:x"/>
 */
export function notUnderstoodHeaders(prefix: string, blocks: readonly NotUnderstood[]): string {
  return blocks.map((block, i) => (block.namespace
    ? `<${prefix}:NotUnderstood qname="nu${i}:${escapeAttribute(block.localName)}" xmlns:nu${i}="${escapeAttribute(block.namespace)}"/>`
    : `<${prefix}:NotUnderstood qname="${escapeAttribute(block.localName)}" xmlns=""/>`)).join('');
}
