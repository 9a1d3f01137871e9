// Reads dotenv files (.env.example) the way scripts/dev.mjs and docker compose read them: KEY=VALUE lines,
// `#` comments, optional quotes. Keeps line numbers so test failures can point at the line.
import { readFileSync } from 'node:fs';

export interface DotenvEntry {
  value: string;
  line: number;
}

/** Parses dotenv text; a repeated name is reported in `duplicates` (compose keeps the last one silently). */
export function parseDotenvText(text: string): { entries: Map<string, DotenvEntry>; duplicates: string[] } {
  const entries = new Map<string, DotenvEntry>();
  const duplicates: string[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) return;
    const name = match[1]!;
    let value = match[2]!;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? quoted[2]! : value.replace(/\s+#.*$/, '');
    if (entries.has(name)) duplicates.push(name);
    entries.set(name, { value, line: index + 1 });
  });
  return { entries, duplicates };
}

export function readDotenvFile(path: string) {
  return parseDotenvText(readFileSync(path, 'utf8'));
}
