// The canonical email (issue 14 item 3): one table of spellings and what each becomes, plus properties.
import test from 'ava';
import fc from 'fast-check';
import { canonicalEmail } from '../../src/auth/canonical-email.ts';

const table: Array<[description: string, input: string, canonical: string | undefined]> = [
  ['already canonical', 'alice@example.com', 'alice@example.com'],
  ['ASCII capitals, local part and domain', 'Alice@EXAMPLE.Com', 'alice@example.com'],
  ['plus addressing and dots are kept', 'A.Lice+Tag@example.com', 'a.lice+tag@example.com'],
  ['full-width letters and at sign (NFKC)', '\uff21\uff4c\uff49\uff43\uff45\uff20example.com', 'alice@example.com'],
  ['the Kelvin sign (NFKC to K)', '\u212Aate@example.com', 'kate@example.com'],
  ['a ligature (NFKC to fi)', '\ufb01nn@example.com', 'finn@example.com'],
  ['U+0130 capital I with dot above: unstable (two code points, or "i" in libc and Turkish)', 'al\u0130ce@example.com', undefined],
  ['U+0131 dotless i: unstable (uppercases to I)', 'al\u0131ce@example.com', undefined],
  ['sharp s: unstable (uppercases to SS)', 'stra\u00dfe@example.com', undefined],
  ['capital sharp s U+1E9E', 'STRA\u1E9EE@example.com', undefined],
  ['final sigma: unstable (uppercases to capital sigma, which lowercases to the other sigma)', '\u03bf\u03b4\u03bf\u03c2@example.com', undefined],
  ['Cherokee: its lowercase mapping changed in Unicode 8', '\u13A0@example.com', undefined],
  ['a combining dot above after i (decomposed U+0130)', 'ali\u0307ce@example.com', undefined],
  ['an accented letter', 'jos\u00e9@example.com', undefined],
  ['an IDN domain in Unicode form (its ASCII A-label form is accepted)', 'a@b\u00fccher.example', undefined],
  ['an IDN domain as an A-label', 'a@XN--BCHER-KVA.example', 'a@xn--bcher-kva.example'],
  ['a leading space', ' alice@example.com', undefined],
  ['a no-break space (NFKC to a space)', 'alice\u00a0@example.com', undefined],
  ['a zero-width space', 'al\u200bice@example.com', undefined],
  ['a control character', 'alice\u0007@example.com', undefined],
  ['255 characters', `${'a'.repeat(243)}@example.com`, undefined],
  ['254 characters', `${'A'.repeat(242)}@example.com`, `${'a'.repeat(242)}@example.com`],
];

for (const [description, input, canonical] of table) {
  test(`canonicalEmail: ${description}`, (t) => {
    t.is(canonicalEmail(input), canonical);
  });
}

test('canonicalEmail is idempotent, and its result is lower-case printable ASCII', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.oneof(fc.emailAddress(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (input) => {
      const canonical = canonicalEmail(input);
      if (canonical === undefined) return true;
      return canonicalEmail(canonical) === canonical && /^[\x21-\x40\x5b-\x7e]+$/.test(canonical);
    }),
    { numRuns: 2000 },
  ));
});

test('every letter-case spelling of an ASCII address has one canonical form', (t) => {
  t.notThrows(() => fc.assert(
    fc.property(fc.emailAddress(), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (email, flips) => {
      const respelled = [...email].map((char, i) => (flips[i % flips.length] ? char.toUpperCase() : char.toLowerCase())).join('');
      return canonicalEmail(respelled) === canonicalEmail(email);
    }),
    { numRuns: 1000 },
  ));
});
