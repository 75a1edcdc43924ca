// Markdown tables, padded so they read the same in a terminal and in the README.

/** `align`: one letter per column, `l` or `r` (numbers read best right-aligned). */
export function table(headers: string[], rows: string[][], align: string): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length), 3));
  const pad = (cell: string, i: number) =>
    align[i] === 'r' ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number);
  const line = (cells: string[]) => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

export const fixed = (n: number, digits = 1) => n.toFixed(digits);
export const ratio = (n: number) => `${n.toFixed(2)}×`;
export const kb = (bytes: number) => (bytes / 1024).toFixed(0);
/** Dollars with three significant digits: costs per 1,000 operations are fractions of a cent. */
export const usd = (n: number) => (n === 0 ? '0' : `$${n.toPrecision(3)}`);
