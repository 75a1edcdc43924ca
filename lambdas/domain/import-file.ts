// A file of people to import: CSV (RFC 4180, a header row of profile fields) or JSON Lines (one profile a line),
// read into rows, each checked against the profile's own rules.

import { type FieldIssue, InvalidInput } from './errors.ts';
import { MAX_JOB_ITEMS } from './job.ts';
import { type Profile, ProfileSchema } from './user.ts';
import * as z from './zod.ts';

export type ImportFormat = 'csv' | 'jsonl';

/** Largest file accepted: 10,000 rows of a full profile fit well within it. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** A row as read from the file: its number (1 = the first row after a CSV's header) and its fields. */
export interface ImportRow {
  row: number;
  fields: Record<string, unknown>;
}

const list = (value: string) =>
  value
    .split(';')
    .map((v) => v.trim())
    .filter(Boolean);
const flag = (value: string): unknown => {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  return value;
};

/**
 * The CSV columns: each names a profile field (the address parts by their own names). Lists (`teams`, `areas`,
 * `roles`) are separated by `;`; `roles` names unscoped role ids; yes/no fields take true/false (or yes/no).
 */
export const CSV_COLUMNS = {
  firstName: (v: string) => ({ firstName: v }),
  middleName: (v: string) => ({ middleName: v }),
  lastName: (v: string) => ({ lastName: v }),
  email: (v: string) => ({ email: v.trim() }),
  mobilePhone: (v: string) => ({ mobilePhone: v }),
  photoUrl: (v: string) => ({ photoUrl: v.trim() }),
  street: (v: string) => ({ address: { street: v } }),
  city: (v: string) => ({ address: { city: v } }),
  state: (v: string) => ({ address: { state: v } }),
  postalCode: (v: string) => ({ address: { postalCode: v } }),
  country: (v: string) => ({ address: { country: v } }),
  officePhone: (v: string) => ({ officePhone: v }),
  homePhone: (v: string) => ({ homePhone: v }),
  employeeId: (v: string) => ({ employeeId: v }),
  title: (v: string) => ({ title: v }),
  company: (v: string) => ({ company: v }),
  teams: (v: string) => ({ teams: list(v) }),
  areas: (v: string) => ({ areas: list(v) }),
  accountingId: (v: string) => ({ accountingId: v }),
  comments: (v: string) => ({ comments: v }),
  mayCreateTickets: (v: string) => ({ mayCreateTickets: flag(v) }),
  roles: (v: string) => ({ roles: list(v).map((role) => ({ role })) }),
  licenceType: (v: string) => ({ licenceType: v.trim() }),
  userType: (v: string) => ({ userType: v.trim() }),
  clientOrganisation: (v: string) => ({ clientOrganisation: v.trim() }),
  workOrderDispatch: (v: string) => ({ notifications: { workOrderDispatch: flag(v) } }),
} as const satisfies Record<string, (value: string) => Record<string, unknown>>;
export type CsvColumn = keyof typeof CSV_COLUMNS;

const fileProblem = (message: string, field = 'body') => new InvalidInput([{ field, message }]);

/** Reads the file into rows; a file that is not what it claims, too big, or with unknown columns is refused whole. */
export function readImportFile(text: string, format: ImportFormat): ImportRow[] {
  if (Buffer.byteLength(text) > MAX_IMPORT_BYTES) {
    throw fileProblem(`must be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows = format === 'csv' ? readCsv(body) : readJsonLines(body);
  if (rows.length === 0) throw fileProblem('has no rows to import');
  if (rows.length > MAX_JOB_ITEMS) {
    throw fileProblem(`has ${rows.length} rows; at most ${MAX_JOB_ITEMS} may be imported at once`);
  }
  return rows;
}

function readJsonLines(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw fileProblem(`line ${i + 1} is not JSON: the file is not JSON Lines`);
    }
    rows.push({
      row: rows.length + 1,
      fields:
        value && typeof value === 'object' && !Array.isArray(value)
          ? (value as Record<string, unknown>)
          : { value },
    });
  });
  return rows;
}

function readCsv(text: string): ImportRow[] {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header || header.every((h) => h.trim() === ''))
    throw fileProblem('has no header row naming the columns');
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !(c in CSV_COLUMNS));
  if (unknown.length > 0) {
    throw new InvalidInput(
      unknown.map((c) => ({
        field: `body.columns.${c || '(empty)'}`,
        message: `is not a profile field; columns may be ${Object.keys(CSV_COLUMNS).join(', ')}`,
      })),
    );
  }
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length > 0) {
    throw new InvalidInput(repeated.map((c) => ({ field: `body.columns.${c}`, message: 'is named twice' })));
  }
  return records
    .filter((record) => !(record.length === 1 && record[0] === ''))
    .map((record, i) => {
      if (record.length !== columns.length) {
        return {
          row: i + 1,
          fields: { __csv: `has ${record.length} fields; the header names ${columns.length}` },
        };
      }
      let fields: Record<string, unknown> = {};
      record.forEach((value, c) => {
        if (value.trim() === '') return;
        fields = merge(fields, CSV_COLUMNS[columns[c] as CsvColumn](value));
      });
      return { row: i + 1, fields };
    });
}

function merge(into: Record<string, unknown>, part: Record<string, unknown>): Record<string, unknown> {
  const out = { ...into };
  for (const [key, value] of Object.entries(part)) {
    const existing = out[key];
    out[key] =
      existing && typeof existing === 'object' && !Array.isArray(existing) && typeof value === 'object'
        ? { ...existing, ...(value as object) }
        : value;
  }
  return out;
}

/**
 * RFC 4180: fields separated by commas, records by CRLF (LF accepted), a field in double quotes may hold
 * commas, line breaks and doubled quotes. A quote left open, or text after a closing quote, is not CSV.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let line = 1;
  const endField = () => {
    record.push(field);
    field = '';
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        const after = text[i + 1];
        if (after !== undefined && after !== ',' && after !== '\r' && after !== '\n') {
          throw fileProblem(`is not CSV: text after a closing quote on line ${line}`);
        }
        i += 1;
        continue;
      }
      if (c === '\n') line += 1;
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      endField();
      i += 1;
    } else if (c === '\r' || c === '\n') {
      endField();
      records.push(record);
      record = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
    } else if (c === '\u0000') {
      throw fileProblem('is not CSV: it holds binary data');
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw fileProblem('is not CSV: a quoted field is never closed');
  if (field !== '' || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** The profile a row describes, or every rule it breaks, each field named as `row.<field>`. */
export function profileOfRow(
  row: ImportRow,
): { profile: Profile; issues?: undefined } | { issues: FieldIssue[]; profile?: undefined } {
  if (typeof row.fields.__csv === 'string') return { issues: [{ field: 'row', message: row.fields.__csv }] };
  if (typeof row.fields.__emailOfRow === 'number') return { issues: [emailOfRow(row.fields.__emailOfRow)] };
  const parsed = ProfileSchema.safeParse(row.fields);
  if (parsed.success) return { profile: parsed.data };
  return {
    issues: parsed.error.issues.flatMap((issue) => {
      const at = ['row', ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ field: `${at}.${key}`, message: 'is not a known field' }));
      }
      return [{ field: at, message: issue.message }];
    }),
  };
}

/** Each row checked, and for a valid row whose email an earlier row already gives, that row's number. */
function checkRows(rows: readonly ImportRow[]) {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const checked = profileOfRow(row);
    if (checked.issues) return { row, checked };
    const first = seen.get(checked.profile.email);
    if (first === undefined) seen.set(checked.profile.email, row.row);
    return { row, checked, first };
  });
}

/** The dry run: each row valid, or the rules it breaks; an email given twice in one file is refused the second time. */
export function validateRows(rows: readonly ImportRow[]): ImportValidation[] {
  return checkRows(rows).map(({ row, checked, first }): ImportValidation => {
    if (checked.issues) return { row: row.row, outcome: 'invalid', errors: checked.issues };
    if (first !== undefined) return { row: row.row, outcome: 'invalid', errors: [emailOfRow(first)] };
    return { row: row.row, outcome: 'valid' };
  });
}

function emailOfRow(first: number): FieldIssue {
  return { field: 'row.email', message: `is the email of row ${first} too` };
}

/**
 * The items of an import job: each row's fields, but a row whose email an earlier row already gives carries
 * that row's number instead, so the job refuses it as the dry run did (`profileOfRow`): which of the two is
 * created must not depend on which one the worker's lanes reach first.
 */
export function importItems(rows: readonly ImportRow[]): Record<string, unknown>[] {
  return checkRows(rows).map(({ row, first }) =>
    first === undefined ? row.fields : { __emailOfRow: first },
  );
}

export type ImportValidation =
  | { row: number; outcome: 'valid' }
  | { row: number; outcome: 'invalid'; errors: FieldIssue[] };

export const ImportValidationSchema = /* @__PURE__ */ z.discriminatedUnion('outcome', [
  /* @__PURE__ */ z.strictObject({
    row: /* @__PURE__ */ z.int(),
    outcome: /* @__PURE__ */ z.literal('valid'),
  }),
  /* @__PURE__ */ z.strictObject({
    row: /* @__PURE__ */ z.int(),
    outcome: /* @__PURE__ */ z.literal('invalid'),
    errors: /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.strictObject({
        field: /* @__PURE__ */ z.string(),
        message: /* @__PURE__ */ z.string(),
      }),
    ),
  }),
]);
