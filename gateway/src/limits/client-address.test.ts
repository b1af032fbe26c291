import { describe, expect, it } from 'vitest';
import { addressSubject, normaliseAddress, resolveClientAddress } from './client-address.ts';

const from = (remoteAddress: string, forwardedFor?: string | string[]) => ({
  socket: { remoteAddress },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('resolveClientAddress', () => {
  it('is the socket peer by default, whatever X-Forwarded-For claims', () => {
    expect(resolveClientAddress(from('203.0.113.7', '198.51.100.1'), 0)).toBe('203.0.113.7');
  });

  it('reports an IPv4 peer of a dual-stack socket as IPv4', () => {
    expect(resolveClientAddress(from('::ffff:203.0.113.7'), 0)).toBe('203.0.113.7');
  });

  it('with one trusted proxy, takes the rightmost X-Forwarded-For entry: the peer that proxy saw', () => {
    expect(resolveClientAddress(from('10.0.0.2', '198.51.100.1'), 1)).toBe('198.51.100.1');
  });

  it('ignores what the client itself put further left in X-Forwarded-For', () => {
    const spoofed = from('10.0.0.2', '1.1.1.1, 2.2.2.2, 198.51.100.1');
    expect(resolveClientAddress(spoofed, 1)).toBe('198.51.100.1');
  });

  it('with two trusted proxies, takes the second entry from the right, across repeated headers', () => {
    const chained = from('10.0.0.3', ['6.6.6.6, 198.51.100.1', '10.0.0.2']);
    expect(resolveClientAddress(chained, 2)).toBe('198.51.100.1');
  });

  it('stops at the last address a trusted proxy vouched for when the chain is short or malformed', () => {
    expect(resolveClientAddress(from('10.0.0.2'), 1)).toBe('10.0.0.2');
    expect(resolveClientAddress(from('10.0.0.3', '198.51.100.1'), 2)).toBe('198.51.100.1');
    expect(resolveClientAddress(from('10.0.0.3', 'not-an-ip, 10.0.0.2'), 2)).toBe('10.0.0.2');
  });

  it('normalises forwarded entries with ports, brackets and IPv4-mapped IPv6', () => {
    expect(resolveClientAddress(from('10.0.0.2', '198.51.100.1:4711'), 1)).toBe('198.51.100.1');
    expect(resolveClientAddress(from('10.0.0.2', '[2001:DB8::1]:443'), 1)).toBe('2001:db8:0:0:0:0:0:1');
    expect(resolveClientAddress(from('10.0.0.2', '::FFFF:198.51.100.1'), 1)).toBe('198.51.100.1');
  });
});

describe('normaliseAddress', () => {
  it('spells one IPv6 address one way', () => {
    expect(normaliseAddress('2001:0DB8:0000::0001')).toBe('2001:db8:0:0:0:0:0:1');
    expect(normaliseAddress('2001:db8:0:0:0:0:0:1')).toBe('2001:db8:0:0:0:0:0:1');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1');
    expect(normaliseAddress('::1')).toBe('0:0:0:0:0:0:0:1');
  });

  it('turns IPv4-mapped IPv6, dotted or hex, into IPv4', () => {
    expect(normaliseAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseAddress('::ffff:7f00:1')).toBe('127.0.0.1');
  });

  it('refuses what is not an address', () => {
    expect(normaliseAddress('unknown')).toBeNull();
    expect(normaliseAddress('1.2.3')).toBeNull();
    expect(normaliseAddress('')).toBeNull();
  });
});

describe('addressSubject', () => {
  it('counts an IPv4 address on its own', () => {
    expect(addressSubject('198.51.100.1')).toBe('198.51.100.1');
  });

  it('counts an IPv6 address with the rest of its /64', () => {
    expect(addressSubject('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressSubject('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
  });
});
