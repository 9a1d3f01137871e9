// A password must not be derivable from the account's own email (issue 8; ASVS V6 context-specific
// words). Compared after NFKC and lower-casing, the same normalisation the length rule uses.

/** Local parts shorter than this are not searched for inside the password: "al" would forbid "total". */
export const MIN_LOCAL_PART_LENGTH = 3;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * True when the password equals the email or contains its local part (or, with plus addressing,
 * the part before the `+`). Returns false for an email without `@`: validation rejects those first.
 * @param password - the NFKC-normalised password.
 * @param email - the email it would belong to.
 * @returns whether the password is or contains the email or its local part.
 */
export function passwordResemblesEmail(password: string, email: string): boolean {
  const normalizedPassword = normalize(password);
  const normalizedEmail = normalize(email).trim();
  if (normalizedPassword === normalizedEmail) return true;
  const at = normalizedEmail.lastIndexOf('@');
  if (at <= 0) return false;
  const localPart = normalizedEmail.slice(0, at);
  const candidates = new Set([localPart, localPart.split('+')[0] ?? '']);
  for (const candidate of candidates) {
    if (candidate.length >= MIN_LOCAL_PART_LENGTH && normalizedPassword.includes(candidate)) return true;
  }
  return false;
}
