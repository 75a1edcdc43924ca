// SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, in both dialects directories send: operations
// with a `path`, and a value object without one (whose keys may themselves be paths, as Entra ID writes them).
import {
  type AttrPath,
  attribute,
  type CaseExact,
  type Filter,
  matches,
  parseAttrPath,
  parseFilter,
  ScimRefused,
} from './scim-filter.ts';

type Json = Record<string, unknown>;

export interface PatchOperation {
  op: string;
  path?: string | undefined;
  value?: unknown;
}

const OPS = ['add', 'replace', 'remove'] as const;
type Op = (typeof OPS)[number];

const badPath = (message: string) => new ScimRefused(400, 'invalidPath', message);
const badValue = (message: string) => new ScimRefused(400, 'invalidValue', message);

/**
 * The resource after `operations`, in order. `urns` are the schema URNs whose attributes sit in an object of
 * their own (the enterprise extension); a path qualified with the core schema's URN is the core attribute.
 */
export function applyPatch(
  resource: Json,
  operations: readonly PatchOperation[],
  schemas: { core: string; extensions: readonly string[] },
  caseExact: CaseExact,
): Json {
  const result = structuredClone(resource);
  for (const [index, operation] of operations.entries()) {
    const op = operation.op.toLowerCase() as Op;
    if (!OPS.includes(op)) throw badValue(`Operations[${index}].op must be add, replace or remove.`);
    if (operation.path === undefined || operation.path === '') {
      if (op === 'remove')
        throw new ScimRefused(400, 'noTarget', `Operations[${index}]: remove needs a path.`);
      if (!operation.value || typeof operation.value !== 'object' || Array.isArray(operation.value)) {
        throw badValue(`Operations[${index}]: without a path, the value must be an object of attributes.`);
      }
      for (const [key, value] of Object.entries(operation.value as Json)) {
        const extension = schemas.extensions.find((u) => u.toLowerCase() === key.toLowerCase());
        if (extension && value && typeof value === 'object' && !Array.isArray(value)) {
          // `{ "urn:…:enterprise:2.0:User": { "department": … } }`: each of its attributes.
          for (const [name, v] of Object.entries(value as Json)) {
            apply(result, op, { urn: extension.toLowerCase(), attr: name }, v);
          }
        } else {
          apply(result, op, pathOf(key, schemas), value);
        }
      }
      continue;
    }
    apply(result, op, pathOf(operation.path, schemas), operation.value);
  }
  return result;

  function apply(target: Json, op: Op, path: AttrPath, value: unknown): void {
    const urn = path.urn && (schemas.extensions.find((u) => u.toLowerCase() === path.urn) ?? path.urn);
    const holder = urn ? ensureObject(target, urn, urn) : target;
    const key = keyOf(holder, path.attr);
    const current = holder[key];
    if (path.where) {
      applyFiltered(holder, key, op, path, value);
      return;
    }
    if (path.sub) {
      if (op === 'remove') {
        if (current && typeof current === 'object' && !Array.isArray(current))
          delete (current as Json)[keyOf(current as Json, path.sub)];
        return;
      }
      const object = ensureObject(holder, key, path.attr);
      object[keyOf(object, path.sub)] = value;
      return;
    }
    if (op === 'remove') {
      if (Array.isArray(current) && Array.isArray(value)) {
        // `{ op: remove, path: members, value: [{ value: id }] }`: those values only.
        const gone = new Set(value.map((v) => String(attribute(v as Json, 'value'))));
        holder[key] = current.filter((item) => !gone.has(String(attribute(item as Json, 'value'))));
      } else {
        delete holder[key];
      }
      return;
    }
    if (op === 'add' && Array.isArray(current)) {
      const added = Array.isArray(value) ? value : [value];
      const seen = new Set(current.map((item) => JSON.stringify(attribute(item as Json, 'value') ?? item)));
      holder[key] = [
        ...current,
        ...added.filter((item) => !seen.has(JSON.stringify(attribute(item as Json, 'value') ?? item))),
      ];
      return;
    }
    if (op === 'add' && isObject(current) && isObject(value)) {
      holder[key] = { ...current, ...value };
      return;
    }
    holder[key] = value;
  }

  function applyFiltered(holder: Json, key: string, op: Op, path: AttrPath, value: unknown): void {
    const where = path.where as Filter;
    const current = holder[key];
    const items = Array.isArray(current) ? [...(current as unknown[])] : [];
    const hit = (item: unknown) => isObject(item) && matches(item, where, caseExact);
    if (op === 'remove') {
      holder[key] = path.sub
        ? items.map((item) => {
            if (!hit(item)) return item;
            const copy = { ...(item as Json) };
            delete copy[keyOf(copy, path.sub as string)];
            return copy;
          })
        : items.filter((item) => !hit(item));
      return;
    }
    if (!items.some(hit)) {
      // `emails[type eq "work"].value` on a user without a work email: the value is made, typed as the filter says.
      const made: Json = { ...equalities(where) };
      if (path.sub) made[path.sub] = value;
      else if (isObject(value)) Object.assign(made, value);
      else throw badValue(`No value of ${path.attr} matches the path's filter.`);
      holder[key] = [...items, made];
      return;
    }
    holder[key] = items.map((item) => {
      if (!hit(item)) return item;
      if (path.sub) return { ...(item as Json), [keyOf(item as Json, path.sub)]: value };
      if (!isObject(value)) throw badValue(`The value for ${path.attr}[…] must be an object.`);
      return { ...(item as Json), ...value };
    });
  }
}

/** A path as an operation or a value object's key writes it; the core schema's URN is the same as none. */
function pathOf(text: string, schemas: { core: string; extensions: readonly string[] }): AttrPath {
  const bracket = text.indexOf('[');
  let path: AttrPath;
  try {
    if (bracket < 0) {
      path = parseAttrPath(text);
    } else {
      const close = text.lastIndexOf(']');
      if (close < bracket) throw badPath(`"${text}" is not a valid path.`);
      const after = text.slice(close + 1);
      if (after !== '' && !/^\.[A-Za-z$][\w$-]*$/.test(after))
        throw badPath(`"${text}" is not a valid path.`);
      path = {
        ...parseAttrPath(text.slice(0, bracket)),
        where: parseFilter(text.slice(bracket + 1, close)),
        ...(after ? { sub: after.slice(1) } : {}),
      };
    }
  } catch (error) {
    if (error instanceof ScimRefused && error.scimType === 'invalidFilter') throw badPath(error.message);
    throw error;
  }
  if (path.urn === schemas.core.toLowerCase()) {
    const { urn: _core, ...rest } = path;
    return rest;
  }
  if (path.urn && !schemas.extensions.some((u) => u.toLowerCase() === path.urn)) {
    throw badPath(`"${text}" names a schema this resource does not have.`);
  }
  return path;
}

/** `type eq "work" and primary eq true` → `{ type: "work", primary: true }`, for a value the path creates. */
function equalities(filter: Filter): Json {
  if (filter.kind === 'compare' && filter.op === 'eq' && !filter.path.sub && !filter.path.where) {
    return { [filter.path.attr]: filter.value };
  }
  if (filter.kind === 'and') return { ...equalities(filter.left), ...equalities(filter.right) };
  return {};
}

function isObject(value: unknown): value is Json {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** The key `name` is stored under in `object` (SCIM names ignore case), or `name` itself for a new one. */
function keyOf(object: Json, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower) ?? name;
}

function ensureObject(holder: Json, key: string, name: string): Json {
  const k = keyOf(holder, key);
  const current = holder[k];
  if (current === undefined || current === null) {
    const made: Json = {};
    holder[k] = made;
    return made;
  }
  if (!isObject(current)) throw badPath(`${name} has no sub-attributes.`);
  return current;
}
