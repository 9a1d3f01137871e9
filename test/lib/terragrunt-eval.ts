// A small evaluator for the subset of Terragrunt expressions our live tree uses, so that tests can resolve
// includes, sources and inputs without Terragrunt. hcl2json hands expressions over as "${...}" strings; this
// tokenises and evaluates them. Anything outside the subset throws Unevaluable with the reason, and callers
// report it instead of pretending a value.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class Unevaluable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unevaluable';
  }
}

/** Scope of one evaluation: named roots (local, dependency, include) plus the Terragrunt function context. */
export interface Scope {
  /** Directory of the unit being evaluated (get_terragrunt_dir() is always the unit, even in included files). */
  unitDir: string;
  /** Directory of the file whose expression this is (read_terragrunt_config resolves relative paths from here). */
  fileDir: string;
  /** Directory of the file that includes this one with path_relative_to_include (root.hcl's directory). */
  includeDir?: string;
  /** Named roots: `local`, `dependency`, `include`. Values may be lazy getters. */
  roots: Record<string, unknown>;
  /** Environment for get_env(); defaults are used when a variable is absent. */
  env: Record<string, string | undefined>;
  /** Loads and evaluates another Terragrunt file (read_terragrunt_config). */
  readConfig: (path: string) => unknown;
}

type Token = { kind: 'str' | 'num' | 'id' | 'punct'; value: string };

// ---------- tokeniser: string literals keep their raw text so that nested templates evaluate later ----------
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '#' || source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let depth = 0;
      let raw = '';
      while (j < source.length) {
        const d = source[j]!;
        if (d === '\\') { raw += d + (source[j + 1] ?? ''); j += 2; continue; }
        if (d === '$' && source[j + 1] === '{') { depth++; raw += '${'; j += 2; continue; }
        if (d === '}' && depth > 0) depth--;
        if (d === '"' && depth === 0) break;
        raw += d;
        j++;
      }
      tokens.push({ kind: 'str', value: raw });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(source.slice(i));
    if (num) { tokens.push({ kind: 'num', value: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i));
    if (id) { tokens.push({ kind: 'id', value: id[0] }); i += id[0].length; continue; }
    const two = source.slice(i, i + 2);
    if (['==', '!=', '&&', '||'].includes(two)) { tokens.push({ kind: 'punct', value: two }); i += 2; continue; }
    if ('()[]{},.:?=!'.includes(c)) { tokens.push({ kind: 'punct', value: c }); i++; continue; }
    throw new Unevaluable(`unsupported character '${c}' in expression \`${brief(source)}\``);
  }
  return tokens;
}

/** First line of an expression, for error messages. */
function brief(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[ch] ?? ch);
}

// ---------- functions: the Terragrunt built-ins we use, with Terragrunt's semantics ----------
function findInParentFolders(scope: Scope, name: string, fallback?: unknown): string {
  // Terragrunt starts in the parent of the unit's directory and walks up.
  let dir = dirname(scope.unitDir);
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (fallback !== undefined) return String(fallback);
  throw new Unevaluable(`find_in_parent_folders("${name}") found no file above ${scope.unitDir}`);
}

const functions: Record<string, (scope: Scope, args: unknown[]) => unknown> = {
  find_in_parent_folders: (scope, [name, fallback]) => findInParentFolders(scope, String(name ?? 'root.hcl'), fallback),
  read_terragrunt_config: (scope, [path, fallback]) => {
    const absolute = resolve(scope.fileDir, String(path));
    if (!existsSync(absolute)) {
      if (fallback !== undefined) return fallback;
      throw new Unevaluable(`read_terragrunt_config: ${absolute} does not exist`);
    }
    return scope.readConfig(absolute);
  },
  get_terragrunt_dir: (scope) => scope.unitDir,
  get_env: (scope, [name, fallback]) => {
    const value = scope.env[String(name)];
    if (value !== undefined) return value;
    if (fallback === undefined) throw new Unevaluable(`get_env("${String(name)}") has no default and is not set`);
    return fallback;
  },
  path_relative_to_include: (scope) => {
    if (!scope.includeDir) return '.';
    return scope.unitDir.slice(scope.includeDir.length + 1) || '.';
  },
  dirname: (_, [path]) => dirname(String(path)),
  basename: (_, [path]) => basename(String(path)),
  merge: (_, maps) => Object.assign({}, ...(maps as object[])),
  concat: (_, lists) => (lists as unknown[][]).flat(),
  lower: (_, [value]) => String(value).toLowerCase(),
  replace: (_, [value, search, replacement]) => String(value).split(String(search)).join(String(replacement)),
  tostring: (_, [value]) => String(value),
  jsonencode: (_, [value]) => JSON.stringify(value),
};

// ---------- parser/evaluator (recursive descent over the token list) ----------
class Evaluator {
  private position = 0;
  private readonly text: string;
  constructor(private readonly tokens: Token[], private readonly scope: Scope, text: string) {
    this.text = brief(text);
  }

  run(): unknown {
    const value = this.conditional();
    if (this.position < this.tokens.length) throw new Unevaluable(`unexpected '${this.peek()?.value}' in \`${this.text}\``);
    return value;
  }

  private peek(): Token | undefined { return this.tokens[this.position]; }
  private next(): Token {
    const token = this.tokens[this.position++];
    if (!token) throw new Unevaluable(`unexpected end of \`${this.text}\``);
    return token;
  }
  private accept(value: string): boolean {
    if (this.peek()?.kind === 'punct' && this.peek()?.value === value) { this.position++; return true; }
    return false;
  }
  private expect(value: string): void {
    if (!this.accept(value)) throw new Unevaluable(`expected '${value}' in \`${this.text}\``);
  }

  private conditional(): unknown {
    const condition = this.comparison();
    if (!this.accept('?')) return condition;
    const whenTrue = this.conditional();
    this.expect(':');
    const whenFalse = this.conditional();
    return condition ? whenTrue : whenFalse;
  }

  private comparison(): unknown {
    const left = this.postfix();
    if (this.accept('==')) return left === this.postfix();
    if (this.accept('!=')) return left !== this.postfix();
    return left;
  }

  private postfix(): unknown {
    let value = this.primary();
    for (;;) {
      if (this.accept('.')) {
        const name = this.next().value;
        value = index(value, name, this.text);
      } else if (this.accept('[')) {
        const key = this.conditional();
        this.expect(']');
        value = index(value, String(key), this.text);
      } else {
        return value;
      }
    }
  }

  /** `[for x in list : body]` or `[for k, v in map : body]` (no `if` filter): the body is re-read per element. */
  private forList(): unknown[] {
    this.next();
    const names = [this.next().value];
    if (this.accept(',')) names.push(this.next().value);
    if (this.next().value !== 'in') throw new Unevaluable(`expected 'in' in \`${this.text}\``);
    const collection = this.conditional();
    this.expect(':');
    const bodyStart = this.position;
    const end = this.closingBracket(bodyStart);
    const entries: Array<[unknown, unknown]> = Array.isArray(collection)
      ? collection.map((value, index) => [index, value])
      : Object.entries((collection ?? {}) as object);
    const saved = names.map((name) => [name, this.scope.roots[name]] as const);
    const list: unknown[] = [];
    try {
      for (const [key, value] of entries) {
        if (names.length === 2) Object.assign(this.scope.roots, { [names[0]!]: key, [names[1]!]: value });
        else this.scope.roots[names[0]!] = value;
        this.position = bodyStart;
        list.push(this.conditional());
        if (this.position !== end) throw new Unevaluable(`'if' filters are not supported: \`${this.text}\``);
      }
    } finally {
      for (const [name, value] of saved) this.scope.roots[name] = value;
    }
    this.position = end + 1;
    return list;
  }

  /** Index of the `]` closing the bracket whose body starts at `from`. */
  private closingBracket(from: number): number {
    let depth = 0;
    for (let index = from; index < this.tokens.length; index++) {
      const token = this.tokens[index]!;
      if (token.kind !== 'punct') continue;
      if ('([{'.includes(token.value)) depth++;
      else if (')}'.includes(token.value)) depth--;
      else if (token.value === ']') {
        if (depth === 0) return index;
        depth--;
      }
    }
    throw new Unevaluable(`unclosed '[' in \`${this.text}\``);
  }

  private primary(): unknown {
    const token = this.next();
    if (token.kind === 'str') return evaluateTemplate(unescape(token.value), this.scope);
    if (token.kind === 'num') return Number(token.value);
    if (token.kind === 'punct' && token.value === '(') {
      const value = this.conditional();
      this.expect(')');
      return value;
    }
    if (token.kind === 'punct' && token.value === '[') {
      if (this.peek()?.kind === 'id' && this.peek()?.value === 'for') return this.forList();
      const list: unknown[] = [];
      while (!this.accept(']')) {
        list.push(this.conditional());
        this.accept(',');
      }
      return list;
    }
    if (token.kind === 'punct' && token.value === '{') {
      const object: Record<string, unknown> = {};
      while (!this.accept('}')) {
        const keyToken = this.next();
        if (!this.accept('=')) this.expect(':');
        object[keyToken.kind === 'str' ? unescape(keyToken.value) : keyToken.value] = this.conditional();
        this.accept(',');
      }
      return object;
    }
    if (token.kind === 'id') {
      if (token.value === 'true') return true;
      if (token.value === 'false') return false;
      if (token.value === 'null') return null;
      if (this.accept('(')) {
        const args: unknown[] = [];
        while (!this.accept(')')) {
          args.push(this.conditional());
          this.accept(',');
        }
        const fn = functions[token.value];
        if (!fn) throw new Unevaluable(`function ${token.value}() is not supported by the test evaluator`);
        return fn(this.scope, args);
      }
      if (!(token.value in this.scope.roots)) throw new Unevaluable(`unknown name '${token.value}' in \`${this.text}\``);
      return this.scope.roots[token.value];
    }
    throw new Unevaluable(`unexpected '${token.value}' in \`${this.text}\``);
  }
}

function index(value: unknown, key: string, text: string): unknown {
  if (value === null || typeof value !== 'object' || !(key in (value as object))) {
    throw new Unevaluable(`'${key}' does not exist in \`${text}\``);
  }
  return (value as Record<string, unknown>)[key];
}

/** Splits a template into literal text and `${...}` expressions, respecting nested braces and strings. */
export function templateParts(template: string): Array<{ literal: string } | { expression: string }> {
  const parts: Array<{ literal: string } | { expression: string }> = [];
  let i = 0;
  let literal = '';
  while (i < template.length) {
    if (template.startsWith('$${', i)) { literal += '${'; i += 3; continue; }
    if (template.startsWith('${', i)) {
      if (literal) parts.push({ literal });
      literal = '';
      let depth = 1;
      let j = i + 2;
      let inString = false;
      while (j < template.length && depth > 0) {
        const c = template[j]!;
        if (inString) {
          if (c === '\\') j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{') depth++;
        else if (c === '}') depth--;
        j++;
      }
      parts.push({ expression: template.slice(i + 2, j - 1) });
      i = j;
      continue;
    }
    literal += template[i];
    i++;
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Evaluates one hcl2json value: a string template, or a list/object holding them. */
export function evaluateValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return evaluateTemplate(value, scope);
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateValue(item, scope)]));
  }
  return value;
}

function evaluateTemplate(template: string, scope: Scope): unknown {
  const parts = templateParts(template);
  const evaluate = (expression: string) => new Evaluator(tokenize(expression), scope, expression).run();
  // A template that is exactly one interpolation yields the value itself (a list stays a list), as in HCL.
  if (parts.length === 1 && 'expression' in parts[0]!) return evaluate(parts[0].expression);
  return parts.map((part) => ('literal' in part ? part.literal : String(evaluate(part.expression)))).join('');
}
