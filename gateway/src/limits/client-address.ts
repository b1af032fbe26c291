import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler, Response } from 'express';

/** What the client address is read from: the request's headers and its socket. */
export interface AddressedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/**
 * The address of the client that sent a request. By default the socket's peer, which no client
 * can choose. With `trustedProxies` = n > 0 (config TRUST_PROXY), X-Forwarded-For is read from
 * the right, where each of the n proxies appended the peer it saw: the client is the nth entry
 * from the right. Entries further left were written by the client and are never used. A chain
 * shorter than n, or an entry that is not an IP address, stops the walk at the last address a
 * trusted proxy vouched for. Only set TRUST_PROXY when the gateway cannot be reached except
 * through those proxies: a client reaching it directly could otherwise name any address.
 */
export function resolveClientAddress(req: AddressedRequest, trustedProxies: number): string {
  let address = normaliseAddress(req.socket.remoteAddress ?? '') ?? 'unknown';
  if (trustedProxies <= 0) return address;
  const forwarded = forwardedFor(req.headers['x-forwarded-for']);
  for (let hop = 0; hop < trustedProxies && forwarded.length > 0; hop++) {
    const next = normaliseAddress(forwarded.pop()!);
    if (!next) break;
    address = next;
  }
  return address;
}

/**
 * What a limit counts against for an address: the address itself for IPv4, its /64 for IPv6
 * (one subscriber usually holds a whole /64, so counting single IPv6 addresses is no limit).
 */
export function addressSubject(address: string): string {
  const groups = isIP(address) === 6 ? ipv6Groups(address) : null;
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** Express middleware: resolves the client address once, for the limits and the GraphQL context. */
export function assignClientAddress(options: { trustedProxies: number }): RequestHandler {
  return (req, res, next) => {
    res.locals.clientAddress = resolveClientAddress(req, options.trustedProxies);
    next();
  };
}

/** The address `assignClientAddress` resolved for this request. */
export function clientAddressOf(res: Response): string {
  const address: unknown = res.locals.clientAddress;
  if (typeof address !== 'string') throw new Error('assignClientAddress() must run before this middleware');
  return address;
}

function forwardedFor(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim());
}

/**
 * An address in one canonical spelling, or null if it is not one: IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4 peers) becomes IPv4, IPv6 is
 * lower-case and uncompressed without a zone, and a port or brackets a proxy added are dropped.
 */
export function normaliseAddress(raw: string): string | null {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/%.*$/, '');
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return null;
  const groups = ipv6Groups(text)!;
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [high, low] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return groups.join(':');
}

/** The eight groups of a valid IPv6 address, lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] | null {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return null;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
