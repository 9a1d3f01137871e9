export interface DotenvEntry {
  value: string;
  line: number;
}
export function parseDotenvText(text: string): { entries: Map<string, DotenvEntry>; duplicates: string[] };
export function readDotenvFile(path: string): { entries: Map<string, DotenvEntry>; duplicates: string[] };
export function dotenvValues(text: string): Record<string, string>;
export function withDotenvFile(path: string, env?: Record<string, string | undefined>): Record<string, string | undefined>;
