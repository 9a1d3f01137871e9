// Reads docker-compose.yml and answers the questions the repository checks ask of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './hcl.ts';

export const composePath = join(repoRoot, 'docker-compose.yml');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComposeDocument = Record<string, any>;

export function readCompose(path = composePath): ComposeDocument {
  return parse(readFileSync(path, 'utf8')) as ComposeDocument;
}

/** Published ports that are not bound to the loopback interface (short and long syntax). */
export function nonLoopbackPorts(document: ComposeDocument): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries<ComposeDocument>(document.services ?? {})) {
    for (const port of (service.ports ?? []) as unknown[]) {
      if (typeof port === 'object' && port !== null) {
        const long = port as { host_ip?: string; published?: unknown };
        if (long.published !== undefined && long.host_ip !== '127.0.0.1') problems.push(`${name}: ${JSON.stringify(port)}`);
      } else if (!String(port).startsWith('127.0.0.1:')) {
        problems.push(`${name}: ${String(port)}`);
      }
    }
  }
  return problems;
}

/** The env_file entries of a service as paths (string, list, or long syntax). */
export function envFiles(service: ComposeDocument): string[] {
  const value = service.env_file;
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((entry: unknown) => (typeof entry === 'string' ? entry : String((entry as { path: string }).path)));
}

/** The `environment` of a service as a map (dict or KEY=VALUE list syntax); a bare KEY maps to undefined. */
export function environment(service: ComposeDocument): Map<string, string | undefined> {
  const value = service.environment;
  const map = new Map<string, string | undefined>();
  if (Array.isArray(value)) {
    for (const item of value as string[]) {
      const index = item.indexOf('=');
      map.set(index < 0 ? item : item.slice(0, index), index < 0 ? undefined : item.slice(index + 1));
    }
  } else if (value) {
    for (const [key, entry] of Object.entries(value)) map.set(key, entry === null ? undefined : String(entry));
  }
  return map;
}
