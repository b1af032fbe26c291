import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { parseVisibleText } from './text.ts';

const parse = (raw: string, max = 10) => parseVisibleText(raw, 'input.name', max);
const fieldOf = (raw: string, max = 10) => {
  try {
    parse(raw, max);
  } catch (error) {
    if (error instanceof DomainError) return [error.code, (error.details as { field: string }).field];
  }
  return null;
};

describe('parseVisibleText', () => {
  it('normalises compatibility forms (NFKC) and trims', () => {
    expect(parse('  Ａｄａ ')).toBe('Ada');
    expect(parse('ﬁle')).toBe('file');
    expect(parse('Zoe\u0308')).toBe('Zoë');
  });

  it.each(['Zoë', '山田 太郎', 'محمد', '❤️ Rent', '👨‍👩‍👧 Family', '🏳️‍🌈'])(
    'keeps what people write: accents, scripts, emoji and their joined sequences (%s)',
    (text) => {
      expect(parse(text, 20)).toBe(text.normalize('NFKC'));
    },
  );

  it.each([
    ['a NUL', 'Ada\u0000'],
    ['a line break', 'Ada\nLovelace'],
    ['a tab', 'Ada\tL'],
    ['a zero-width space', 'Ad\u200Ba'],
    ['a zero-width joiner between letters', 'Ad\u200Da'],
    ['a right-to-left override', 'Ada\u202Eecalevol'],
    ['a left-to-right isolate', '\u2066Ada'],
    ['a right-to-left mark', 'Ada\u200F'],
    ['a byte-order mark inside', 'Ad\uFEFFa'],
    ['a soft hyphen', 'Ad\u00ADa'],
    ['a line separator', 'Ada\u2028L'],
    ['a paragraph separator', 'Ada\u2029L'],
    ['a lone surrogate', 'Ada\uD800'],
    ['a private-use character', 'Ada\uE000'],
  ])('refuses %s as BAD_USER_INPUT naming the field', (_, raw) => {
    expect(fieldOf(raw)).toEqual(['BAD_USER_INPUT', 'input.name']);
  });

  it('counts characters, not UTF-16 units, and refuses blank text', () => {
    expect(parse('😀'.repeat(10))).toBe('😀'.repeat(10));
    expect(fieldOf('😀'.repeat(11))).toEqual(['BAD_USER_INPUT', 'input.name']);
    expect(fieldOf('   ')).toEqual(['BAD_USER_INPUT', 'input.name']);
  });
});
