// Where each element of a LIST response's `items` array lies in the response's text, so a backup
// can write an item as the API server sent it instead of serialising the parsed object again
// (JSON.stringify was ~0.8 s of the main thread in a 100,000-object backup, and as many strings
// for the collector). A scanner of JSON structure only: strings are skipped with indexOf, values
// are not decoded. Anything it does not expect gives undefined, and the caller serialises instead.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class Malformed extends Error {}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

function expect(text: string, at: number, c: number): number {
  if (text.charCodeAt(at) !== c) throw new Malformed();
  return at + 1;
}

/** From an opening quote to just past its closing quote. */
function skipString(text: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new Malformed();
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** From a value's first character to just past it. */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return skipString(text, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let end = at;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    }
    if (end === at) throw new Malformed();
    return end;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = skipString(text, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new Malformed();
}

/**
 * Start and end offsets (flat pairs) of the top-level `items` elements of a list response, in
 * order; undefined when the text is not an object with such an array (the caller then falls back).
 */
export function listItemSpans(text: string): number[] | undefined {
  try {
    let at = expect(text, skipSpace(text, 0), OPEN_BRACE);
    let spans: number[] | undefined;
    at = skipSpace(text, at);
    if (text.charCodeAt(at) === CLOSE_BRACE) return undefined;
    for (;;) {
      const keyEnd = skipString(text, expect(text, at, QUOTE) - 1);
      const key = text.slice(at + 1, keyEnd - 1);
      at = skipSpace(text, expect(text, skipSpace(text, keyEnd), COLON));
      if (key === 'items' && text.charCodeAt(at) === OPEN_BRACKET) {
        spans = [];
        at = skipSpace(text, at + 1);
        if (text.charCodeAt(at) === CLOSE_BRACKET) at++;
        else {
          for (;;) {
            const end = skipValue(text, at);
            spans.push(at, end);
            at = skipSpace(text, end);
            const c = text.charCodeAt(at++);
            if (c === CLOSE_BRACKET) break;
            if (c !== COMMA) throw new Malformed();
            at = skipSpace(text, at);
          }
        }
      } else at = skipValue(text, at);
      at = skipSpace(text, at);
      const c = text.charCodeAt(at++);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new Malformed();
      at = skipSpace(text, at);
    }
    if (skipSpace(text, at) !== text.length) return undefined;
    return spans;
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
}
