// SCIM filters (RFC 7644 §3.4.2.2): parsed into a tree, and evaluated against a SCIM resource in memory.
// Which filters can be answered without reading every user is the SCIM users use case's business.
import { DomainError } from './errors.ts';

/** What SCIM names the kinds of bad request (RFC 7644 §3.12, Table 9). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers';

/** A request SCIM has its own words for: answered with its status and `scimType`. */
export class ScimRefused extends DomainError {
  readonly code = 'ScimRefused';
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413,
    readonly scimType: ScimType | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type FilterValue = string | number | boolean | null;

/** `emails[type eq "work"].value`: an attribute (with its schema URN, if one was written), a filter on its values, a sub-attribute. */
export interface AttrPath {
  /** The schema URN the path was qualified with, lower-case; absent for the resource's core schema. */
  urn?: string;
  attr: string;
  where?: Filter;
  sub?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter };

/** Longest filter accepted: a directory's filters are a few dozen characters. */
export const MAX_FILTER_LENGTH = 1000;

type Token =
  | { t: 'word'; v: string }
  | { t: 'string'; v: string }
  | { t: '(' | ')' | '[' | ']' }
  | { t: 'end' };

const invalid = (message: string) => new ScimRefused(400, 'invalidFilter', message);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ t: c });
      i++;
    } else if (c === '"') {
      // A JSON string: its escapes are JSON's.
      let j = i + 1;
      while (j < text.length && text.charAt(j) !== '"') j += text.charAt(j) === '\\' ? 2 : 1;
      if (j >= text.length) throw invalid('A quoted value is not closed.');
      try {
        tokens.push({ t: 'string', v: JSON.parse(text.slice(i, j + 1)) as string });
      } catch {
        throw invalid(`The value ${text.slice(i, j + 1)} is not a valid JSON string.`);
      }
      i = j + 1;
    } else {
      const word = /^[^\s()[\]"]+/.exec(text.slice(i))?.[0];
      if (!word) throw invalid(`Unexpected character at ${i + 1}.`);
      // `emails[type eq "work"].value`: the `.value` after `]` sticks to the bracket, as a word of its own.
      tokens.push({ t: 'word', v: word });
      i += word.length;
    }
  }
  tokens.push({ t: 'end' });
  return tokens;
}

const ATTR_NAME = /^[A-Za-z$][\w$-]*$/;

/** `name.givenName`, `urn:…:User:department`, `urn:…:User:manager.value`. */
export function parseAttrPath(text: string): AttrPath {
  let urn: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    urn = text.slice(0, colon).toLowerCase();
    rest = text.slice(colon + 1);
  }
  const [attr, sub, ...more] = rest.split('.');
  if (!attr || !ATTR_NAME.test(attr) || more.length > 0 || (sub !== undefined && !ATTR_NAME.test(sub))) {
    throw invalid(`"${text}" is not an attribute path.`);
  }
  return { ...(urn ? { urn } : {}), attr, ...(sub ? { sub } : {}) };
}

export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH)
    throw invalid(`A filter may have at most ${MAX_FILTER_LENGTH} characters.`);
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at] as Token;
  const next = () => tokens[at++] as Token;
  const keyword = (token: Token, word: string) => token.t === 'word' && token.v.toLowerCase() === word;
  let depth = 0;

  function orExpr(): Filter {
    let left = andExpr();
    while (keyword(peek(), 'or')) {
      next();
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  }
  function andExpr(): Filter {
    let left = unary();
    while (keyword(peek(), 'and')) {
      next();
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  }
  function unary(): Filter {
    if (++depth > 20) throw invalid('The filter is nested too deeply.');
    try {
      const token = peek();
      if (keyword(token, 'not')) {
        next();
        if (next().t !== '(') throw invalid('"not" must be followed by a parenthesised filter.');
        const inner = orExpr();
        if (next().t !== ')') throw invalid('A parenthesis is not closed.');
        return { kind: 'not', filter: inner };
      }
      if (token.t === '(') {
        next();
        const inner = orExpr();
        if (next().t !== ')') throw invalid('A parenthesis is not closed.');
        return inner;
      }
      return attrExpr();
    } finally {
      depth--;
    }
  }
  function attrExpr(): Filter {
    const token = next();
    if (token.t !== 'word') throw invalid('An attribute name was expected.');
    let path: AttrPath;
    if (peek().t === '[') {
      next();
      const where = orExpr();
      if (next().t !== ']') throw invalid('A bracket is not closed.');
      path = { ...parseAttrPath(token.v), where };
      const after = peek();
      if (after.t === 'word' && after.v.startsWith('.')) {
        next();
        const sub = after.v.slice(1);
        if (!ATTR_NAME.test(sub)) throw invalid(`"${after.v}" is not a sub-attribute.`);
        path.sub = sub;
      }
    } else {
      path = parseAttrPath(token.v);
    }
    const op = next();
    if (op.t !== 'word') throw invalid('An operator was expected after the attribute.');
    const name = op.v.toLowerCase();
    if (name === 'pr') return { kind: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(name))
      throw invalid(`"${op.v}" is not a SCIM operator.`);
    return { kind: 'compare', path, op: name as CompareOp, value: compValue(next()) };
  }
  function compValue(token: Token): FilterValue {
    if (token.t === 'string') return token.v;
    if (token.t === 'word') {
      if (token.v === 'true') return true;
      if (token.v === 'false') return false;
      if (token.v === 'null') return null;
      if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.v)) return Number(token.v);
    }
    throw invalid('A value was expected: a quoted string, a number, true, false or null.');
  }

  if (text.trim() === '') throw invalid('The filter is empty.');
  const filter = orExpr();
  if (peek().t !== 'end') throw invalid('The filter has something left over after its end.');
  return filter;
}

type Json = Record<string, unknown>;

/** The value of `name` in `object`, its name compared case-insensitively as SCIM's are. */
export function attribute(object: Json, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Whether the attribute is compared exactly (`caseExact`); every other string ignores case. */
export type CaseExact = (path: AttrPath) => boolean;

/** Every value `path` reaches in `resource`: multi-valued attributes give one per value. */
export function valuesAt(resource: Json, path: AttrPath, caseExact: CaseExact): unknown[] {
  const holder = path.urn ? attribute(resource, path.urn) : resource;
  if (!holder || typeof holder !== 'object') return [];
  const value = attribute(holder as Json, path.attr);
  let items = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  if (path.where) {
    const where = path.where;
    items = items.filter(
      (item) => item && typeof item === 'object' && matches(item as Json, where, caseExact),
    );
  }
  if (path.sub) {
    const sub = path.sub;
    items = items.flatMap((item) => {
      if (!item || typeof item !== 'object') return [];
      const v = attribute(item as Json, sub);
      return v === undefined || v === null ? [] : [v];
    });
  } else {
    // A multi-valued attribute's values compare by their `value` sub-attribute (RFC 7644 §3.4.2.2).
    items = items.map((item) => (item && typeof item === 'object' ? attribute(item as Json, 'value') : item));
  }
  return items.filter((v) => v !== undefined && v !== null);
}

export function matches(resource: Json, filter: Filter, caseExact: CaseExact): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(resource, filter.left, caseExact) && matches(resource, filter.right, caseExact);
    case 'or':
      return matches(resource, filter.left, caseExact) || matches(resource, filter.right, caseExact);
    case 'not':
      return !matches(resource, filter.filter, caseExact);
    case 'present':
      return valuesAt(resource, filter.path, caseExact).some(
        (v) => v !== '' && !(Array.isArray(v) && v.length === 0),
      );
    case 'compare': {
      const values = valuesAt(resource, filter.path, caseExact);
      if (filter.op === 'ne')
        return !values.some((v) => compare(v, 'eq', filter.value, caseExact(filter.path)));
      return values.some((v) => compare(v, filter.op, filter.value, caseExact(filter.path)));
    }
  }
}

function compare(actual: unknown, op: CompareOp, expected: FilterValue, exact: boolean): boolean {
  if (expected === null) return op === 'eq' ? actual === null : false;
  if (typeof expected === 'boolean') return op === 'eq' && actual === expected;
  if (typeof expected === 'number') {
    // A number has no substrings: co, sw and ew match none.
    return typeof actual === 'number' && !isSubstringOp(op) && ordered(actual, op, expected);
  }
  if (typeof actual !== 'string') return false;
  const a = exact ? actual : actual.toLowerCase();
  const e = exact ? expected : expected.toLowerCase();
  switch (op) {
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    default:
      return ordered(a, op, e);
  }
}

type SubstringOp = 'co' | 'sw' | 'ew';
const isSubstringOp = (op: CompareOp): op is SubstringOp => op === 'co' || op === 'sw' || op === 'ew';

/** Equality and order, the same for numbers and strings (strings in JavaScript's order, by UTF-16 code unit). */
function ordered<T extends number | string>(a: T, op: Exclude<CompareOp, SubstringOp>, e: T): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}
