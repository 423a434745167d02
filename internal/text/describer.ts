// Velero's way of laying out `describe` text: Printf-like writes with tabs between cells, aligned
// at the end the way Go's text/tabwriter aligns them in Velero's Describer, so our describe output
// can be compared with Velero's line for line.
import { escapeUnsafe } from './quote.ts';

/** Go's tabwriter settings: a column is max(minWidth, widest cell + padding) wide. */
export interface TabSettings {
  minWidth: number;
  padding: number;
}

/** What Velero's Describer uses (minwidth 0, padding 2). */
export const DESCRIBE_TABS: TabSettings = { minWidth: 0, padding: 2 };
/** What kubectl's table printer uses (cli-runtime's GetNewTabWriter: minwidth 6, padding 3), so Velero's `get` tables too. */
export const TABLE_TABS: TabSettings = { minWidth: 6, padding: 3 };

/**
 * Go's text/tabwriter (spaces, no flags): a tab ends a cell, and each column of cells in
 * consecutive lines is as wide as its widest cell plus the padding, at least the minimum width. A
 * line with fewer cells ends the column, which is why Velero's blank lines between sections also
 * separate their alignment. The last cell of a line is not padded.
 */
export function tabAlign(text: string, tabs: TabSettings = DESCRIBE_TABS): string {
  const rows = text.split('\n').map((line) => line.split('\t'));
  const width = (cell: string) => [...cell].length; // Go counts runes
  const widths: number[] = [];
  const out: string[] = [];
  const write = (from: number, to: number) => {
    for (const row of rows.slice(from, to)) out.push(row.map((cell, j) => (j < row.length - 1 ? cell + ' '.repeat(widths[j]! - width(cell)) : cell)).join(''));
  };
  const format = (first: number, end: number) => {
    const column = widths.length;
    let printed = first;
    for (let i = first; i < end; i++) {
      if (column >= rows[i]!.length - 1) continue;
      write(printed, i);
      let blockEnd = i;
      let w = tabs.minWidth;
      for (; blockEnd < end && column < rows[blockEnd]!.length - 1; blockEnd++) w = Math.max(w, width(rows[blockEnd]![column]!) + tabs.padding);
      widths.push(w);
      format(i, blockEnd);
      widths.pop();
      printed = blockEnd;
      i = blockEnd - 1;
    }
    write(printed, end);
  };
  format(0, rows.length);
  return out.join('\n');
}

/**
 * Velero's Describer: Printf-like writes, aligned by tabAlign at the end. In `d.out\`Name:\t${x}\n\``
 * the template's tabs and newlines are layout and the values are data from the backup, escaped so
 * none can add a cell or a line.
 */
export class Describer {
  private text = '';

  out = (parts: TemplateStringsArray, ...values: unknown[]): void => {
    let s = parts[0]!;
    values.forEach((v, i) => (s += escapeUnsafe(String(v)) + parts[i + 1]!));
    this.text += s;
  };

  /** Layout only (indent tabs), never data. */
  raw(layout: string): void {
    this.text += layout;
  }

  /** DescribeMap: `Name:\tk=v` and further pairs under it, sorted by key; `<none>` when empty. */
  map(name: string, m: Record<string, string> | undefined): void {
    this.out`${name}:\t`;
    const keys = Object.keys(m ?? {}).sort();
    if (!keys.length) this.out`<none>\n`;
    keys.forEach((k, i) => {
      if (i) this.raw('\t');
      this.out`${k}=${m![k]}\n`;
    });
  }

  /** DescribeSlice: `name:\titem`, further items under it; `<none>` when empty, all `indent` tabs in. */
  slice(indent: number, name: string, items: string[] | undefined): void {
    const tabs = '\t'.repeat(indent);
    this.raw(tabs);
    this.out`${name}:\t`;
    if (!items?.length) {
      this.raw(tabs);
      this.out`<none>\n`;
    }
    (items ?? []).forEach((item, i) => {
      if (i) this.raw(`${tabs}\t`);
      this.out`${item}\n`;
    });
  }

  done(): string {
    return tabAlign(this.text);
  }
}
