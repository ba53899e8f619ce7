/**
 * CSV for spreadsheets (RFC 4180): UTF-8 with a byte-order mark so Excel on Chinese Windows reads the
 * text as UTF-8 instead of GBK, CRLF line ends, fields quoted when they hold a comma, quote or line
 * break. Geometry is left out except the centroid columns the caller puts in the table; a formula
 * prefix (= + - @) in text is neutralised with a leading apostrophe (CSV injection).
 */
import { checkColumns, formatValue, type ExportTable } from './export-table.js';

export type HeaderLanguage = 'zh' | 'en';

const BOM = '\uFEFF';

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !/^[-+]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
}

export function writeCsv(table: ExportTable, language: HeaderLanguage = 'zh'): Uint8Array {
  checkColumns(table.columns);
  const lines = [table.columns.map((c) => quote(language === 'zh' ? c.zh : c.en)).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((c) => quote(neutralise(formatValue(c, row.values[c.key])))).join(','));
  }
  return new TextEncoder().encode(BOM + lines.join('\r\n') + '\r\n');
}
