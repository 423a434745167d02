// kubectl-style plain tables, as Velero's `get` commands print them through kubectl's table printer:
// upper-case headers, cells aligned by Go's tabwriter with kubectl's settings (at least 6 wide, 3
// spaces between columns), no trailing spaces.
import { tabAlign, TABLE_TABS } from '../text/describer.ts';
import { safeLine } from '../text/quote.ts';

export function renderTable(head: string[], rows: string[][]): string {
  // Cells hold names from backups and clusters: one safe line each, so no tab or newline of theirs
  // can add a cell or a row.
  const lines = [head, ...rows.map((row) => row.map((cell) => safeLine(cell, 300)))].map((cells) => cells.join('\t'));
  return `${tabAlign(lines.join('\n'), TABLE_TABS).split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}
