/**
 * Driver errors translated at the persistence edge, so services never see SQLite or pg codes.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  // pg: 23505 unique_violation; better-sqlite3: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The name of the violated constraint or index, when the driver says it. */
export function violatedConstraint(error: unknown): string {
  const e = error as { constraint?: string; message?: string } | undefined;
  return e?.constraint ?? e?.message ?? '';
}
