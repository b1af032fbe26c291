/** An unsigned JWT-shaped token expiring at `exp` (seconds since the epoch); only read, never verified. */
export function tokenExpiring(exp: number, sub = 'user'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub, exp })}.`;
}
