// Reads the environment variable table of architecture/PLATFORM_CONTRACT.md: the first Markdown table whose
// header starts with `Variable`. Cells are plain text with `code` spans; the drift test compares them with the
// app's config, .env.example, compose and the live tree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './hcl.ts';

export const contractPath = join(repoRoot, 'architecture', 'PLATFORM_CONTRACT.md');

export type AppRunnerSource =
  /** value: the literal every environment sets (`plain \`x\``), 'app default', or undefined (varies, unchecked). */
  | { kind: 'plain'; value?: string | 'app default' }
  | { kind: 'secret'; secret: string; jsonKey: string | undefined }
  | { kind: 'not set'; reason: string };

export interface ContractRow {
  name: string;
  required: boolean;
  secret: boolean;
  default: string | undefined;
  /** The Local `.env` cell when it is a single code span (a value to compare with .env.example), else undefined. */
  localValue: string | undefined;
  appRunner: AppRunnerSource;
  line: number;
}

const stripCode = (cell: string) => cell.trim().replace(/^`(.*)`$/, '$1').replaceAll('\\|', '|');

function splitRow(line: string): string[] {
  // Split on | that is not escaped; drop the empty cells outside the outer pipes.
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** Parses the App Runner cell: `plain …`, `secret `<prefix>/name` → `key`` (or "(whole value)"), `not set …`. */
export function parseAppRunnerCell(cell: string): AppRunnerSource | undefined {
  const text = cell.trim();
  const plainLiteral = /^plain `([^`]*)`/i.exec(text);
  if (plainLiteral) return { kind: 'plain', value: plainLiteral[1]! };
  if (/^plain, the app default\b/i.test(text)) return { kind: 'plain', value: 'app default' };
  if (/^plain\b/i.test(text)) return { kind: 'plain' };
  if (/^not set\b/i.test(text)) return { kind: 'not set', reason: text };
  const secret = /^secret `([^`]+)`(?:\s*→\s*`([^`]+)`)?/i.exec(text);
  if (secret) return { kind: 'secret', secret: secret[1]!, jsonKey: secret[2] };
  return undefined;
}

const COLUMNS = ['Variable', 'Required', 'Secret', 'Default', 'Meaning', 'Local `.env`', 'Compose', 'App Runner'];

/** The rows of the variable table, plus problems with the table itself (unknown cells, duplicates). */
export function parseContractTable(markdown: string): { rows: ContractRow[]; problems: string[] } {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| Variable |'));
  if (start < 0) return { rows: [], problems: ['no table with a `| Variable |` header'] };
  const header = splitRow(lines[start]!);
  const problems: string[] = [];
  if (header.join('|') !== COLUMNS.join('|')) problems.push(`table columns must be: ${COLUMNS.join(' | ')}`);
  const rows: ContractRow[] = [];
  for (let index = start + 2; index < lines.length && lines[index]!.startsWith('|'); index++) {
    const cells = splitRow(lines[index]!);
    const line = index + 1;
    const [name, required, secret, defaultValue, , localCell, , appRunnerCell] = cells.map((cell) => cell ?? '');
    const appRunner = parseAppRunnerCell(appRunnerCell ?? '');
    if (!appRunner) problems.push(`line ${line}: App Runner cell must start with plain, secret \`…\` or not set`);
    if (!/^(yes|no)$/.test(required!) || !/^(yes|no)$/.test(secret!)) problems.push(`line ${line}: Required and Secret must be yes or no`);
    const parsedName = stripCode(name!);
    if (rows.some((row) => row.name === parsedName)) problems.push(`line ${line}: ${parsedName} appears twice`);
    rows.push({
      name: parsedName,
      required: required === 'yes',
      secret: secret === 'yes',
      default: defaultValue === '—' ? undefined : stripCode(defaultValue!),
      localValue: /^`[^`]*`$/.test(localCell!) ? stripCode(localCell!) : undefined,
      appRunner: appRunner ?? { kind: 'plain' },
      line,
    });
  }
  return { rows, problems };
}

export function readContractTable(path = contractPath) {
  return parseContractTable(readFileSync(path, 'utf8'));
}
