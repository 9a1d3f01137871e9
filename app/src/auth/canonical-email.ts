// One canonical form of an email address (issue 14). Registration uniqueness, the user lookup, the lockout
// key and everything stored or logged use this form, computed here and nowhere else: two lowercasings
// (JavaScript for the lockout key, PostgreSQL for the lookup) once disagreed on U+0130, so one spelling
// reached an account while counting its failures under another account's lockout budget.
//
// The rule (architecture/THREAT_MODEL.md, "One canonical email"):
// 1. NFKC, so compatibility spellings (full-width letters, the Kelvin sign) become their plain letters.
// 2. What remains must be printable ASCII without spaces. Registration accepts only ASCII addresses, so
//    no account can have another character; and every character whose case mapping is not stable is
//    outside ASCII: U+0130 (lowercases to two code points, or to "i" in libc and Turkish), U+0131, ß and
//    U+1E9E, final sigma, and letters that a later Unicode version may give a case mapping. Such an address
//    is refused (400 invalid_request), never guessed at.
// 3. ASCII letters in lower case. ASCII case mapping is the same in every locale and Unicode version, so
//    the canonical form of a stored address can never change under an upgrade.
// Internationalised addresses (RFC 6531) would need a Unicode rule here (RFC 8265 case folding) and a
// migration; until then they are refused at registration and at login alike. An internationalised domain
// passes here in its A-label form, but registration's syntax check (zod z.email()) refuses an A-label
// top-level domain (user@xn--80ak6aa92e.xn--p1ai): see the threat model, "One canonical email".

/** RFC 5321's limit on a forward path, which bounds an address. */
export const EMAIL_MAX_LENGTH = 254;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * The canonical form of an email address: NFKC, printable ASCII only, letters in lower case.
 * Idempotent: `canonicalEmail(canonicalEmail(x)) === canonicalEmail(x)`.
 * @param email the address as the client sent it.
 * @returns the canonical form, or undefined when the address cannot be any account's: a character outside
 *   printable ASCII after NFKC (a space, a control character, or a letter with an unstable case mapping),
 *   or more than {@link EMAIL_MAX_LENGTH} characters.
 */
export function canonicalEmail(email: string): string | undefined {
  const normalized = email.normalize('NFKC');
  if (normalized.length > EMAIL_MAX_LENGTH || !PRINTABLE_ASCII.test(normalized)) return undefined;
  // On ASCII text toLowerCase is exactly A-Z to a-z, whatever the locale.
  return normalized.toLowerCase();
}
