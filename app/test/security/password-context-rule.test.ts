import test from 'ava';
import { passwordResemblesEmail } from '../../src/auth/password-context-rule.ts';

const refused: Array<[string, string, string]> = [
  ['the email itself', 'alice.smith@example.com', 'alice.smith@example.com'],
  ['the email in another case', 'ALICE.SMITH@EXAMPLE.COM', 'alice.smith@example.com'],
  ['the local part inside', 'xx-alice.smith-2024!', 'alice.smith@example.com'],
  ['the local part in full-width letters (NFKC)', 'ａｌｉｃｅ.smith-2024!', 'alice.smith@example.com'],
  ['the base of a plus address', 'my-bob.jones-password', 'bob.jones+auth@example.com'],
];
const accepted: Array<[string, string, string]> = [
  ['an unrelated password', 'correct horse battery staple', 'alice.smith@example.com'],
  ['a two-letter local part inside', 'a totally fine passphrase', 'al@example.com'],
  ['only the domain', 'example.com-is-my-home', 'alice.smith@example.com'],
];

for (const [title, password, email] of refused) test(`refused: ${title}`, (t) => t.true(passwordResemblesEmail(password, email)));
for (const [title, password, email] of accepted) test(`accepted: ${title}`, (t) => t.false(passwordResemblesEmail(password, email)));
