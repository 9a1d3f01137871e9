#!/usr/bin/env node
// Reads a password on stdin and prints its PostgreSQL SCRAM-SHA-256 verifier (RFC 5802 / 7677), the
// form that `ALTER ROLE ... PASSWORD '<verifier>'` stores as is. Sending the verifier instead of the
// password keeps the plaintext out of the server's statement logs and pg_stat_activity.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function scramSha256Verifier(password, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (password.length < 16) {
    process.stderr.write('refusing a password shorter than 16 characters\n');
    process.exit(1);
  }
  process.stdout.write(`${scramSha256Verifier(password)}\n`);
}
