// Reading an import file: RFC 4180 CSV (quotes, doubled quotes, line breaks in fields, CRLF or LF, a BOM),
// JSON Lines, and the sample in samples/ that the README shows.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '#domain/errors.ts';
import { CSV_COLUMNS, parseCsv, readImportFile, validateRows } from '#domain/import-file.ts';

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInput) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidInput');
};

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and LF alike', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\r\nlines"\r\nd,,f,g\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\r\nlines'],
      ['d', '', 'f', 'g'],
    ]);
  });

  it('refuses a quote left open, and text after a closing quote', () => {
    expect(issuesOf(() => parseCsv('a,"b\n'))).toEqual([
      { field: 'body', message: 'is not CSV: a quoted field is never closed' },
    ]);
    expect(issuesOf(() => parseCsv('a,"b"c\n'))).toEqual([
      { field: 'body', message: 'is not CSV: text after a closing quote on line 1' },
    ]);
  });
});

describe('readImportFile', () => {
  it('strips a UTF-8 BOM and maps columns onto profile fields', () => {
    const [row] = readImportFile(
      '\uFEFFfirstName,lastName,email,city,teams,mayCreateTickets\nAda,L,a@x.io,Oslo,n;s,yes\n',
      'csv',
    );
    expect(row).toEqual({
      row: 1,
      fields: {
        firstName: 'Ada',
        lastName: 'L',
        email: 'a@x.io',
        address: { city: 'Oslo' },
        teams: ['n', 's'],
        mayCreateTickets: true,
      },
    });
  });

  it('names every unknown column, and refuses a file without rows', () => {
    expect(issuesOf(() => readImportFile('firstName,shoeSize,hat\n', 'csv')).map((i) => i.field)).toEqual([
      'body.columns.shoeSize',
      'body.columns.hat',
    ]);
    expect(issuesOf(() => readImportFile('firstName,lastName,email\r\n', 'csv'))).toEqual([
      { field: 'body', message: 'has no rows to import' },
    ]);
  });

  it('reads JSON Lines, one profile a line, and refuses a line that is not JSON', () => {
    expect(readImportFile('{"firstName":"A"}\n\n{"firstName":"B"}\n', 'jsonl').map((r) => r.row)).toEqual([
      1, 2,
    ]);
    expect(issuesOf(() => readImportFile('{"firstName":"A"}\nnot json\n', 'jsonl'))).toEqual([
      { field: 'body', message: 'line 2 is not JSON: the file is not JSON Lines' },
    ]);
  });

  it('reads the sample file, every row valid, every column a documented one', () => {
    const text = readFileSync(new URL('../../../samples/users-import.csv', import.meta.url), 'utf8');
    const rows = readImportFile(text, 'csv');
    expect(validateRows(rows)).toEqual(rows.map((r) => ({ row: r.row, outcome: 'valid' })));
    const header = text.split(/\r?\n/)[0]?.split(',') ?? [];
    expect(header.every((c) => c in CSV_COLUMNS)).toBe(true);
    expect(rows[1]?.fields.comments).toBe('Prefers "Amazing Grace" in mails');
  });
});
