// Where each element of a LIST response's `items` array lies in the response's bytes, and where its
// `metadata` lies. With it a lister parses each item from its own small string just before it is
// used, rather than the whole page at once: a page is ~1 MB of text, which V8 keeps in its large-
// object space until a full collection, and 500 parsed items that outlive several scavenges; at
// 100,000 objects that garbage set the backup's memory and much of its collector's time. A backup
// also writes an untouched item's bytes as the server sent them (no second serialisation).
// A scanner of JSON structure only: strings are skipped with indexOf, values are not decoded.
// Anything it does not expect gives undefined, and the caller parses the page whole instead.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class Malformed extends Error {}

export interface ListSpans {
  /** Start and end offsets of each `items` element, as flat pairs, in order. */
  items: number[];
  /** The top-level `metadata` value's start and end, when there is one. */
  metadata?: [number, number];
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && isSpace(bytes[at])) at++;
  return at;
}

function expect(bytes: Uint8Array, at: number, c: number): number {
  if (bytes[at] !== c) throw new Malformed();
  return at + 1;
}

/** From an opening quote to just past its closing quote. */
function skipString(bytes: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) throw new Malformed();
    let backslashes = 0;
    for (let k = quote - 1; bytes[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** From a value's first byte to just past it. */
function skipValue(bytes: Buffer, at: number): number {
  const first = bytes[at];
  if (first === QUOTE) return skipString(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let end = at;
    for (; end < bytes.length; end++) {
      const c = bytes[end];
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    }
    if (end === at) throw new Malformed();
    return end;
  }
  let depth = 0;
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) i = skipString(bytes, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new Malformed();
}

/** A key's text: JSON keys of a List have no escapes; one that has them matches nothing we look for. */
function keyAt(bytes: Buffer, start: number, end: number): string {
  return end - start <= 10 ? bytes.toString('latin1', start + 1, end - 1) : '';
}

/** The spans of a list response (an object with an `items` array); undefined for anything else. */
export function listSpans(bytes: Buffer): ListSpans | undefined {
  try {
    let at = skipSpace(bytes, expect(bytes, skipSpace(bytes, 0), OPEN_BRACE));
    let items: number[] | undefined;
    let metadata: [number, number] | undefined;
    if (bytes[at] === CLOSE_BRACE) return undefined;
    for (;;) {
      const keyEnd = skipString(bytes, expect(bytes, at, QUOTE) - 1);
      const key = keyAt(bytes, at, keyEnd);
      at = skipSpace(bytes, expect(bytes, skipSpace(bytes, keyEnd), COLON));
      if (key === 'items' && bytes[at] === OPEN_BRACKET) {
        items = [];
        at = skipSpace(bytes, at + 1);
        if (bytes[at] === CLOSE_BRACKET) at++;
        else {
          for (;;) {
            const end = skipValue(bytes, at);
            items.push(at, end);
            at = skipSpace(bytes, end);
            const c = bytes[at++];
            if (c === CLOSE_BRACKET) break;
            if (c !== COMMA) throw new Malformed();
            at = skipSpace(bytes, at);
          }
        }
      } else {
        const end = skipValue(bytes, at);
        if (key === 'metadata') metadata = [at, end];
        at = end;
      }
      at = skipSpace(bytes, at);
      const c = bytes[at++];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new Malformed();
      at = skipSpace(bytes, at);
    }
    if (skipSpace(bytes, at) !== bytes.length || !items) return undefined;
    return metadata ? { items, metadata } : { items };
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
}
