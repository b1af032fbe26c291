/**
 * Whether a database error is a unique violation (SQLSTATE 23505) of the named constraint or
 * index. drizzle wraps driver errors, so the chain of causes is searched; postgres.js names the
 * constraint `constraint_name`, PGlite `constraint`.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const candidate = e as {
      code?: unknown;
      constraint_name?: unknown;
      constraint?: unknown;
      cause?: unknown;
    };
    if (candidate.code === '23505') {
      return candidate.constraint_name === constraint || candidate.constraint === constraint;
    }
    e = candidate.cause;
  }
  return false;
}
