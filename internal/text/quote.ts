// Names and text from a backup archive or a cluster are untrusted: a crafted entry name can hold
// carriage returns that rewrite a terminal line, bidi overrides (U+202E) that show a different
// name than the real one, or a megabyte of text. Whatever quotes such text in an error or a log
// line goes through here: control, bidi and line-separator characters become visible escapes and
// the text is cut to a sane length, saying how much was left off.

/** C0/C1 controls, DEL, bidi embeddings/overrides/isolates, marks, line and paragraph separators, BOM. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export const DEFAULT_QUOTE_LIMIT = 200;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Escapes unsafe characters; leaves everything else, other Unicode included, as it is. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Cuts `text` to `limit` characters (not splitting a surrogate pair), noting what was cut. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…(${text.length - cut} more characters)`;
}

/** `"name"`, escaped and cut: for quoting an untrusted name inside a message. */
export function quoteUntrusted(text: string, limit = DEFAULT_QUOTE_LIMIT): string {
  return `"${escapeUnsafe(truncate(text, limit))}"`;
}

/** Text of several lines (a describe page): each line made safe, the line breaks kept. */
export function safeText(text: string, lineLimit = 4096): string {
  return text
    .split('\n')
    .map((line) => safeLine(line, lineLimit))
    .join('\n');
}

/** A whole message that may carry untrusted text: one line, escaped, at most `limit` characters. */
export function safeLine(text: string, limit = 4096): string {
  return escapeUnsafe(truncate(text, limit));
}
