// Reads IAM policy statements out of a parsed Terraform module, in both forms the modules use:
//   - `data "aws_iam_policy_document"` blocks (statement, dynamic "statement", principals, condition), and
//   - `jsonencode({...})` expressions anywhere (resources, data sources, locals). hcl2json leaves those as
//     raw `${...}` expression text, so every `{...}` object literal in the text is parsed again as HCL and
//     the ones with an `Effect` key are statements. That also finds statements built inside concat(),
//     conditionals and for expressions; values that are expressions stay `${...}` strings.
// Each statement records where it is attached (trust policy, KMS key policy, resource policy, identity
// policy), because what a rule allows depends on it (in a key policy, Resource "*" means that key).
import { parse } from '@cdktf/hcl2json';
import type { HclJson } from './hcl.ts';

export type PolicyKind = 'trust' | 'key' | 'resource' | 'identity' | 'unattached';

export interface Condition {
  test: string;
  variable: string;
  values: string[];
}

export interface Statement {
  where: string;
  kind: PolicyKind;
  effect: string;
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  principals: { type: string; identifiers: string[] }[];
  conditions: Condition[];
}

// Where a policy document ends up decides its kind. Resource policies attached to one resource (a key, a
// secret, a repository) use Resource "*" for "this resource".
const ATTACHMENTS: Record<string, Record<string, PolicyKind>> = {
  aws_iam_role: { assume_role_policy: 'trust', inline_policy: 'identity' },
  aws_iam_role_policy: { policy: 'identity' },
  aws_iam_policy: { policy: 'identity' },
  aws_iam_user_policy: { policy: 'identity' },
  aws_iam_group_policy: { policy: 'identity' },
  aws_kms_key: { policy: 'key' },
  aws_kms_replica_key: { policy: 'key' },
  aws_secretsmanager_secret_policy: { policy: 'resource' },
  aws_secretsmanager_secret: { policy: 'resource' },
  aws_ecr_repository_policy: { policy: 'resource' },
  aws_s3_bucket_policy: { policy: 'resource' },
  aws_sns_topic_policy: { policy: 'resource' },
  aws_sns_topic: { policy: 'resource' },
  aws_vpc_endpoint: { policy: 'resource' },
  aws_vpc_endpoint_policy: { policy: 'resource' },
};

const list = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.flat(Infinity).map(String) : [String(value)];

/** All statements of a parsed module (see parseModule in hcl.ts). */
export async function moduleStatements(module: HclJson): Promise<Statement[]> {
  const statements: Statement[] = [];
  const documentKinds = policyDocumentKinds(module);
  for (const [name, blocks] of Object.entries<HclJson[]>(module.data?.aws_iam_policy_document ?? {})) {
    for (const block of blocks) {
      const kind = documentKinds.get(name) ?? 'unattached';
      const statementBlocks = [...(block.statement ?? []), ...(block.dynamic?.statement ?? []).flatMap((d: HclJson) => d.content ?? [])];
      for (const statement of statementBlocks) statements.push(fromDocumentBlock(statement, `data.aws_iam_policy_document.${name}`, kind));
    }
  }
  for (const [where, kind, text] of expressionStrings(module)) {
    if (!text.includes('Effect')) continue;
    for (const object of await objectLiterals(text)) {
      if ('Effect' in object) statements.push(fromJson(object, where, kind));
    }
  }
  return statements.map((statement) => resolveLiteralLocals(statement, module));
}

/** Replaces values that are exactly `${local.name}` by that local when it is a literal string or list. */
function resolveLiteralLocals(statement: Statement, module: HclJson): Statement {
  const locals: HclJson = Object.assign({}, ...((module.locals ?? []) as HclJson[]));
  const resolve = (values: string[]) =>
    values.flatMap((value) => {
      const literal = locals[/^\$\{local\.([A-Za-z0-9_]+)\}$/.exec(value)?.[1] ?? ''];
      const items = list(literal);
      return literal !== undefined && items.every((item) => !item.includes('${')) ? items : [value];
    });
  return {
    ...statement,
    actions: resolve(statement.actions),
    resources: resolve(statement.resources),
    principals: statement.principals.map((p) => ({ ...p, identifiers: resolve(p.identifiers) })),
    conditions: statement.conditions.map((c) => ({ ...c, values: resolve(c.values) })),
  };
}

function fromDocumentBlock(block: HclJson, where: string, kind: PolicyKind): Statement {
  const dynamicBlocks = (type: string) => (block.dynamic?.[type] ?? []).flatMap((d: HclJson) => d.content ?? []);
  const principalBlocks = [...(block.principals ?? []), ...dynamicBlocks('principals')];
  const conditionBlocks = [...(block.condition ?? []), ...dynamicBlocks('condition')];
  return {
    where,
    kind,
    effect: block.effect ?? 'Allow',
    actions: list(block.actions),
    notActions: list(block.not_actions),
    resources: list(block.resources),
    notResources: list(block.not_resources),
    principals: principalBlocks.map((p: HclJson) => ({ type: String(p.type), identifiers: list(p.identifiers) })),
    conditions: conditionBlocks.map((c: HclJson) => ({ test: String(c.test), variable: String(c.variable), values: list(c.values) })),
  };
}

function fromJson(object: HclJson, where: string, kind: PolicyKind): Statement {
  const principal = object.Principal;
  const principals =
    principal === undefined
      ? []
      : typeof principal === 'string'
        ? [{ type: '*', identifiers: [principal] }]
        : Object.entries<unknown>(principal).map(([type, ids]) => ({ type, identifiers: list(ids) }));
  const conditions: Condition[] = [];
  if (object.Condition && typeof object.Condition === 'object') {
    for (const [test, variables] of Object.entries<unknown>(object.Condition)) {
      if (variables && typeof variables === 'object') {
        for (const [variable, values] of Object.entries(variables)) conditions.push({ test, variable, values: list(values) });
      } else conditions.push({ test, variable: '', values: list(variables) });
    }
  }
  return {
    where,
    kind,
    effect: String(object.Effect),
    actions: list(object.Action),
    notActions: list(object.NotAction),
    resources: list(object.Resource),
    notResources: list(object.NotResource),
    principals,
    conditions,
  };
}

/** Which kind of policy each aws_iam_policy_document becomes, from the attributes that reference it. */
function policyDocumentKinds(module: HclJson): Map<string, PolicyKind> {
  const kinds = new Map<string, PolicyKind>();
  for (const [where, kind, text] of expressionStrings(module)) {
    if (!where.startsWith('resource.')) continue;
    for (const match of text.matchAll(/data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)/g)) kinds.set(match[1]!, kind);
  }
  return kinds;
}

/** [where, kind, text] for every string in resources, data sources and locals. */
function* expressionStrings(module: HclJson): Generator<[string, PolicyKind, string]> {
  function* walk(value: unknown, where: string, kind: PolicyKind): Generator<[string, PolicyKind, string]> {
    if (typeof value === 'string') yield [where, kind, value];
    else if (Array.isArray(value)) for (const item of value) yield* walk(item, where, kind);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* walk(item, where, kind);
  }
  for (const section of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<HclJson>(module[section] ?? {})) {
      if (section === 'data' && type === 'aws_iam_policy_document') continue;
      for (const [name, blocks] of Object.entries<HclJson[]>(byName)) {
        for (const block of blocks) {
          for (const [attribute, value] of Object.entries(block)) {
            const kind = ATTACHMENTS[type]?.[attribute] ?? (section === 'resource' && /policy/.test(attribute) ? 'identity' : 'unattached');
            yield* walk(value, `${section}.${type}.${name}.${attribute}`, kind);
          }
        }
      }
    }
  }
  for (const locals of (module.locals ?? []) as HclJson[]) {
    for (const [name, value] of Object.entries(locals)) yield* walk(value, `local.${name}`, 'unattached');
  }
}

/** Every `{...}` object literal in an HCL expression text, parsed; literals that do not parse are skipped. */
async function objectLiterals(text: string): Promise<HclJson[]> {
  const objects: HclJson[] = [];
  for (const [start, end] of objectSpans(text)) {
    try {
      const parsed = (await parse('expression.tf', `value = ${text.slice(start, end)}\n`)) as HclJson;
      if (parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) objects.push(parsed.value);
    } catch {
      // a for expression `{ for k, v in x : k => v }` or a fragment that is not a literal
    }
  }
  return objects;
}

/** [start, end) of every brace pair outside strings and comments, nested ones included. */
export function objectSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const open: number[] = [];
  let i = 0;
  // Skips a quoted string starting at text[i] === '"', including `${ ... }` interpolations with nesting.
  const skipString = () => {
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i += 2;
      else if ((text[i] === '$' || text[i] === '%') && text[i + 1] === '{') {
        i += 2;
        skipExpression();
      } else i += 1;
    }
    i += 1;
  };
  // Skips to the `}` closing an interpolation, honouring nested strings and braces.
  const skipExpression = () => {
    let depth = 1;
    while (i < text.length && depth > 0) {
      if (text[i] === '"') skipString();
      else {
        if (text[i] === '{') depth += 1;
        else if (text[i] === '}') depth -= 1;
        i += 1;
      }
    }
  };
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') skipString();
    else if (char === '#' || (char === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (char === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else {
      if (char === '$' && text[i + 1] === '{') i += 1; // the outer `${` of hcl2json's wrapper is not an object
      else if (char === '{') open.push(i);
      else if (char === '}' && open.length > 0) spans.push([open.pop()!, i + 1]);
      i += 1;
    }
  }
  return spans;
}
