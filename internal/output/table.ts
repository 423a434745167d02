// kubectl-style plain tables: upper-case headers, no box drawing, two spaces between columns.
import Table from 'cli-table3';
import { safeLine } from '../text/quote.ts';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

export function renderTable(head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 }, chars: NO_BORDERS });
  // Cells hold names from backups and clusters: one safe line each.
  for (const row of rows) table.push(row.map((cell) => safeLine(cell, 300)));
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}
