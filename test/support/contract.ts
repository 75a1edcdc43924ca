// Holds HTTP exchanges to the OpenAPI document: a response it does not describe (route, status, headers, body) is an error.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { type OpenApiDocument, type Operation, openApiDocument, type ResponseObject } from '#api/openapi.ts';

const DOCUMENT_ID = 'https://gatehouse.dev/openapi.json';

export interface FoundOperation {
  method: string;
  path: string;
  /** JSON pointer of the operation in the document, e.g. `#/paths/~1users/post`. */
  pointer: string;
  operation: Operation;
}

export class Contract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { pattern: RegExp; path: string }[];

  constructor(readonly document: OpenApiDocument) {
    // Strict: an unknown keyword or format in the document is an error, not silently ignored.
    this.ajv = new Ajv2020({ strict: true, allErrors: true, validateSchema: false });
    // ajv-formats is CommonJS: its plugin is the module itself at run time, `.default` to TypeScript.
    const addFormats =
      (formats as unknown as { default?: typeof formats.default }).default ?? formats.default;
    addFormats(this.ajv);
    // The document's own fields are not schema keywords: declared, so only the schemas inside are compiled.
    this.ajv.addVocabulary(Object.keys(document));
    this.ajv.addSchema(document, DOCUMENT_ID);
    // A literal segment wins over a parameter, as in API Gateway: /users/bulk is not /users/{userId}.
    this.routes = Object.keys(document.paths)
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
      .map((path) => ({
        path,
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
      }));
  }

  /** Every operation of the document. */
  operations(): FoundOperation[] {
    return Object.entries(this.document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        pointer: `#/paths/${escapePointer(path)}/${method}`,
        operation,
      })),
    );
  }

  find(method: string, url: string): FoundOperation | undefined {
    const pathname = new URL(url, 'http://localhost').pathname;
    const path = this.routes.find((r) => r.pattern.test(pathname))?.path;
    return this.operations().find((o) => o.path === path && o.method === method.toUpperCase());
  }

  /** Schema errors of `value` against the schema at `pointer` (e.g. `#/components/schemas/User`); [] when valid. */
  errors(pointer: string, value: unknown): ErrorObject[] {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: DOCUMENT_ID + pointer });
      this.validators.set(pointer, validate);
    }
    return validate(value) ? [] : [...(validate.errors ?? [])];
  }

  /** What is wrong with this response, per the document; [] when it is one the document describes. */
  violations(method: string, url: string, status: number, headers: Headers, text: string): string[] {
    const found = this.find(method, url);
    if (!found) return [`${method} ${url} is not in the document`];
    const at = `${found.pointer}/responses/${status}`;
    const entry = found.operation.responses[status];
    if (!entry)
      return [`status ${status} is not documented (${Object.keys(found.operation.responses).join(', ')})`];
    const [pointer, response] =
      '$ref' in entry
        ? [entry.$ref, this.resolve<ResponseObject>(entry.$ref)]
        : [at, entry as ResponseObject];

    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is missing`);
        continue;
      }
      const invalid = this.errors(`${pointer}/headers/${escapePointer(name)}/schema`, value);
      if (invalid.length > 0) problems.push(`header ${name}: ${explain(invalid)}`);
    }
    if (!response.content) {
      if (text !== '') problems.push(`no body is documented, but got ${text.slice(0, 200)}`);
      return problems;
    }
    const type = headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    if (!response.content[type]) {
      return [
        ...problems,
        `content-type ${type || '(none)'} is not ${Object.keys(response.content).join(' or ')}`,
      ];
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...problems, `body is not JSON: ${text.slice(0, 200)}`];
    }
    const invalid = this.errors(`${pointer}/content/${escapePointer(type)}/schema`, body);
    if (invalid.length > 0) problems.push(`body: ${explain(invalid)}`);
    return problems;
  }

  resolve<T>(ref: string): T {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .map(unescapePointer)
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], this.document) as T;
  }
}

let shared: Contract | undefined;

/** The contract of the route table as it is: the document the offline API serves. */
export function contract(): Contract {
  shared ??= new Contract(openApiDocument());
  return shared;
}

/** Throws when the response is not one the document describes, so the test making the call fails. */
export function assertDocumented(
  method: string,
  url: string,
  status: number,
  headers: Headers,
  text: string,
) {
  const problems = contract().violations(method, url, status, headers, text);
  if (problems.length > 0) {
    throw new Error(
      `${method} ${url} answered ${status}, which breaks the OpenAPI document:\n  ${problems.join('\n  ')}\n` +
        `body: ${text.slice(0, 500)}`,
    );
  }
}

export function explain(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const extra = e.params.additionalProperty ? ` (${e.params.additionalProperty})` : '';
      return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`;
    })
    .join('; ');
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
