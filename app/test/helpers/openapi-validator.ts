// Validates every response a test sees against the schema documented in /openapi.json, so the
// documentation is checked by the whole suite rather than by one hand-picked test.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
};

export function createResponseValidator(doc: Record<string, unknown>) {
  const openapi = doc as unknown as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: openapi.components });
  const cache = new Map<string, ValidateFunction>();
  const compile = (key: string, schema: object) => {
    let validate = cache.get(key);
    if (!validate) {
      // Rewrite local component refs to the registered document.
      const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
      validate = ajv.compile(JSON.parse(text) as object);
      cache.set(key, validate);
    }
    return validate;
  };
  const errorSchema = { $ref: '#/components/schemas/Error' };

  /** Returns a list of problems; empty when the response matches its documentation. */
  return function check(response: SeenResponse): string[] {
    const path = response.path.split('?')[0] ?? response.path;
    const operation = openapi.paths[path]?.[response.method.toLowerCase() === 'head' ? 'get' : response.method.toLowerCase()];
    if (!operation) {
      // Unknown paths and methods may only answer with the documented error shape.
      if (response.status !== 404 && response.status !== 405) return [`${response.method} ${path} is not documented`];
      return validateWith(compile('error', errorSchema), response.body);
    }
    const documented = operation.responses[String(response.status)];
    if (!documented) return [`${response.method} ${path} answered ${response.status}, which is not documented`];
    if (!documented.content) return response.body === '' || response.body === undefined ? [] : [`${response.method} ${path} ${response.status} has an undocumented body`];
    const mediaType = Object.keys(documented.content)[0] ?? 'application/json';
    if (!response.contentType?.startsWith(mediaType)) return [`${response.method} ${path} ${response.status}: content type ${response.contentType}, documented ${mediaType}`];
    const schema = documented.content[mediaType]?.schema;
    if (!schema || mediaType !== 'application/json') return [];
    return validateWith(compile(`${response.method} ${path} ${response.status}`, schema), response.body);
  };
}

function validateWith(validate: ValidateFunction, body: unknown): string[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'invalid'}`);
}
