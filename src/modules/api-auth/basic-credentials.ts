/**
 * RFC 7617 §2: `Basic base64(user-id ":" password)`; the user-id cannot contain a colon, the
 * password can. UTF-8 is assumed (we advertise charset="UTF-8").
 * @example parseBasicAuthorization('Basic YTpi') // { username: 'a', password: 'b' }
 * @returns null when the header is not a well-formed Basic credential
 */
export function parseBasicAuthorization(header: string | undefined): { username: string; password: string } | null {
  if (!header) return null;
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export const BASIC_CHALLENGE = 'Basic realm="apiusers", charset="UTF-8"';
