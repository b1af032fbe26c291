import { describe, expect, it } from 'vitest';
import { opaqueId, parseId, uuidv7Time } from './ids.ts';

describe('parseId', () => {
  const id = '0196f0a0-0000-7000-8000-00000000001a';

  it.each([
    ['a lower-case UUID', id, id],
    ['an upper-case UUID, as stored', id.toUpperCase(), id],
    ['a UUIDv4', '9b2f0c3e-4d1a-4f6b-9c2d-1e2f3a4b5c6d', '9b2f0c3e-4d1a-4f6b-9c2d-1e2f3a4b5c6d'],
  ])('reads %s', (_, text, parsed) => {
    expect(parseId(text)).toBe(parsed);
  });

  it.each([
    ['text that is no UUID', 'not-a-uuid'],
    ['a UUID with spaces around it', ` ${id} `],
    ['a UUID without its dashes', id.replaceAll('-', '')],
    ['a UUID with one digit too many', `${id}0`],
    ['nothing', ''],
    ['null', null],
    ['undefined', undefined],
  ])('names nothing with %s', (_, text) => {
    expect(parseId(text)).toBeNull();
  });
});

describe('ids and time', () => {
  it('reads when a UUIDv7 was minted, and nothing from an opaque id', () => {
    expect(uuidv7Time('0196f0a0-0000-7000-8000-00000000001a')?.getTime()).toBe(0x0196f0a00000);
    expect(uuidv7Time(opaqueId())).toBeNull();
  });
});
