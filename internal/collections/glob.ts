// Glob patterns as Velero matches them (github.com/gobwas/glob without separators): `*` any run of
// characters, `?` one character, `[abc]`/`[a-z]`/`[!abc]` classes, `{a,b}` alternatives, `\` escapes.
const cache = new Map<string, RegExp | null>();

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The pattern as an anchored RegExp, or null when it does not compile (Velero then matches nothing). */
export function compileGlob(pattern: string): RegExp | null {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let out = '';
  let depth = 0;
  let ok = true;
  for (let i = 0; i < pattern.length && ok; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[++i];
      if (next === undefined) ok = false;
      else out += escapeRegExp(next);
    } else if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0 || end === i + 1) ok = false;
      else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        if (!body) ok = false;
        const cls = body.replace(/[\\\]^]/g, '\\$&');
        out += `[${negate ? '^' : ''}${cls}]`;
        i = end;
      }
    } else if (ch === '{') {
      depth++;
      out += '(?:';
    } else if (ch === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (ch === ',' && depth > 0) out += '|';
    else out += escapeRegExp(ch);
  }
  const re = ok && depth === 0 ? new RegExp(`^${out}$`) : null;
  cache.set(pattern, re);
  return re;
}

export function globMatch(pattern: string, value: string): boolean {
  return compileGlob(pattern)?.test(value) ?? false;
}

/** Velero's test for "this namespace name is a pattern to expand". */
export function containsWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
