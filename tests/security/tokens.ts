import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { developmentSealer, type SealedSecret } from '@walletgraph/platform/auth/key-sealing';
import postgres from 'postgres';
import type { TestStack } from '../support/stack.ts';

/**
 * JWTs minted with node:crypto, so a token can be exactly as broken as an attacker makes it:
 * tampered, unsigned, signed with the wrong algorithm or key, or signed with identity's real key
 * read from its database (what a leaked key would allow).
 */

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

export interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Decodes a JWT without verifying it. */
export function decodeJwt(token: string): JwtParts & { signature: string } {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')),
    signature: signature!,
  };
}

/** `header.payload`, base64url-encoded, as signed. */
export const signingInput = ({ header, payload }: JwtParts) =>
  `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;

/** Signs with Ed25519 (what the verifier accepts, given the right key). */
export function signEdDSA(parts: JwtParts, privateKey: KeyObject): string {
  const input = signingInput(parts);
  return `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`;
}

/** Signs with HMAC-SHA256 and the given secret (the algorithm-confusion attack). */
export function signHS256(parts: JwtParts, secret: string | Buffer): string {
  const input = signingInput(parts);
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned token (`alg: none`, empty signature). */
export const unsigned = (parts: JwtParts): string => `${signingInput(parts)}.`;

/** A fresh Ed25519 key pair that identity never published: Mallory's own. */
export function attackerKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicJwk: publicKey.export({ format: 'jwk' }) };
}

export interface IdentitySigningKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
}

/**
 * The current signing key as identity holds it: its row in `signing_keys`, opened with the
 * public development key the stack runs with (no SIGNING_KEY_ENCRYPTION_KEY outside production).
 * Someone with the database alone of a production stack holds only the sealed key.
 */
export async function readSigningKey(stack: TestStack): Promise<IdentitySigningKey> {
  const sql = postgres(stack.databases.identity!, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { kid: string; sealed: SealedSecret; publicJwk: Record<string, unknown> }[]
    >`select kid, sealed_private_key as sealed, public_jwk as "publicJwk" from signing_keys where retire_after is null`;
    if (rows.length !== 1) throw new Error(`expected one active signing key, found ${rows.length}`);
    const { kid, sealed, publicJwk } = rows[0]!;
    const privateJwk = JSON.parse(developmentSealer.open(kid, sealed).toString('utf8')) as Record<
      string,
      unknown
    >;
    return { kid, privateJwk, publicJwk };
  } finally {
    await sql.end();
  }
}

/** Claims of a well-formed access token for `sub`, as identity issues them (override any). */
export function claims(
  sub: string | undefined,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'walletgraph-identity',
    aud: 'walletgraph',
    ...(sub === undefined ? {} : { sub }),
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
    ...overrides,
  };
}

/** Signs `payload` with identity's real private key, under its real kid. */
export function mintWithIdentityKey(key: IdentitySigningKey, payload: Record<string, unknown>): string {
  return signEdDSA(
    { header: { alg: 'EdDSA', typ: 'JWT', kid: key.kid }, payload },
    createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' }),
  );
}
