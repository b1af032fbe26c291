import { badInput } from './errors.ts';

/**
 * Characters that let a string other people see disguise itself or hide something: controls
 * (Cc, line breaks included), format characters (Cf: zero-width spaces and joiners, bidi marks,
 * embeddings, overrides and isolates, the BOM, soft hyphens), lone surrogates, private-use and
 * unassigned code points, and the line and paragraph separators.
 */
const hidden = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/** A zero-width joiner inside an emoji sequence (👨‍👩‍👧): a format character, but a visible one. */
const emojiJoiner = /(?<=\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;

/**
 * A string shown to other people (a display name, a wallet's or jar's name, a transfer's note):
 * NFKC-normalised (full-width letters, ligatures and other compatibility forms become the
 * characters they look like), trimmed, 1 to `maxLength` characters (code points), and free of
 * the characters `hidden` lists. Anything else is BAD_USER_INPUT naming `field`.
 */
export function parseVisibleText(raw: string, field: string, maxLength: number): string {
  const text = raw.normalize('NFKC').trim();
  const length = [...text].length;
  if (length === 0 || length > maxLength) throw badInput(field, `must be 1 to ${maxLength} characters`);
  if (hidden.test(text.replace(emojiJoiner, ''))) {
    throw badInput(field, 'must not contain control, invisible or bidirectional-override characters');
  }
  return text;
}
