// What text Gatehouse stores: no control characters or bidirectional overrides, NFC, and names people can see.
import * as z from './zod.ts';

// C0 and C1 controls (U+0000–U+001F, U+007F–U+009F) and the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) corrupt logs and CSV exports and let a name display as another. The direction
// marks (U+200E, U+200F, U+061C) stay allowed: right-to-left text needs them.
/** Something that shows: not only spaces, format characters (zero-width joiners, marks) or unassigned code points. */
const VISIBLE = /[^\p{Z}\p{Cf}\p{Cc}\p{Cn}\s]/u;
/** A letter or a digit, of any script. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

// Patterns (not refinements) so the OpenAPI document states the rules. In multi-line text, line breaks and tabs
// are the only controls allowed.
const NO_CONTROL = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
const NO_CONTROL_BUT_LINES = /^(?:[^\p{Cc}\u202A-\u202E\u2066-\u2069]|[\t\n\r])*$/u;

/** One line of text: trimmed, NFC, at most `max` characters, and something visible in it. */
export function singleLine(max: number) {
  return z
    .string()
    .check(
      z.regex(NO_CONTROL, 'must not contain control characters or bidirectional overrides'),
      z.trim(),
      z.normalize('NFC'),
      z.minLength(1),
      z.maxLength(max),
      z.regex(VISIBLE, 'must contain a visible character'),
    );
}

/**
 * Text as another system sends it (a SCIM directory's attributes): one line, possibly empty, no control
 * characters or bidirectional overrides. What is kept of it is parsed again by the profile's own rules.
 */
export function foreignLine(max: number) {
  return z
    .string()
    .check(
      z.regex(NO_CONTROL, 'must not contain control characters or bidirectional overrides'),
      z.maxLength(max),
    );
}

/** A name (of a person, a role): one line with at least one letter or digit, of any script. */
export function nameText(max: number) {
  return singleLine(max).check(z.regex(LETTER_OR_DIGIT, 'must contain a letter or a digit'));
}

/** Free text over several lines (comments, a mail's body): line breaks and tabs allowed, no other control. */
export function multiLine(max: number, min = 0) {
  return z
    .string()
    .check(
      z.regex(
        NO_CONTROL_BUT_LINES,
        'may contain line breaks and tabs, but no other control characters or bidirectional overrides',
      ),
      z.normalize('NFC'),
      z.minLength(min),
      z.maxLength(max),
    );
}
