// Reads dotenv files the way docker compose does: KEY=VALUE lines, `#` comments, optional `export`,
// optional quotes. Used by scripts/dev.mjs (the native path) and by the repository checks, so both read
// .env / .env.example with the same rules. Keeps line numbers so check failures can point at the line.
import { readFileSync } from 'node:fs';

/** Parses dotenv text; a repeated name is reported in `duplicates` (compose keeps the last one silently). */
export function parseDotenvText(text) {
  const entries = new Map();
  const duplicates = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) return;
    const name = match[1];
    let value = match[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, '');
    if (entries.has(name)) duplicates.push(name);
    entries.set(name, { value, line: index + 1 });
  });
  return { entries, duplicates };
}

export function readDotenvFile(path) {
  return parseDotenvText(readFileSync(path, 'utf8'));
}

/** The values only, as a plain object (the last of a repeated name wins, as in compose). */
export function dotenvValues(text) {
  return Object.fromEntries([...parseDotenvText(text).entries].map(([name, entry]) => [name, entry.value]));
}

/**
 * The values of a dotenv file under the real environment: a name set in `env` keeps its value, as dotenv
 * and every twelve-factor tool do, so `PORT=9090 npm run dev` listens on 9090 whatever the file says.
 * A missing file gives `env` unchanged. Returns a new object.
 */
export function withDotenvFile(path, env = process.env) {
  let fileValues = {};
  try {
    fileValues = dotenvValues(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  return { ...fileValues, ...env };
}
