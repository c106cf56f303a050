/**
 * Opaque keyset-pagination cursors: the sort key of the last row, base64url JSON. Clients must
 * not build them; a tampered cursor is a 400, never a 500 (PostgreSQL refuses U+0000 in text).
 * @example encodeCursor(['2026-01-01T00:00:00.000Z', id])
 */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** @example decodeCursor(query.cursor, 2) // ['…', '…'] or null */
export function decodeCursor(cursor: string, parts: number): string[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== parts || !value.every((v) => typeof v === 'string' && !v.includes('\u0000'))) return null;
    return value as string[];
  } catch {
    return null;
  }
}
