/** What the UI says when a change sent with If-Match answers 412 Precondition Failed. */
export const CONFLICT_MESSAGE = 'This was changed by someone else — reload to see the latest version.';

/**
 * Whether `error` is the server's answer to a stale If-Match (412, `precondition.failed`), so the
 * form should offer Reload instead of a plain error.
 * @example isConflict(new ApiProblem(412, { title: 'Precondition Failed', status: 412, detail: '' })) // true
 */
export function isConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && (error as { status: unknown }).status === 412;
}

/** The ETag for a row's `version`, as the server sends it (`"3"`): what If-Match carries. */
export function etagFor(version: number): string {
  return `"${version}"`;
}
