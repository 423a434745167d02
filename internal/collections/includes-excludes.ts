// Velero's include/exclude lists (pkg/util/collections): everything included except what is
// excluded; an empty include list or `*` means everything; excludes win; every entry is a glob.
import { compileGlob } from './glob.ts';

/** Velero stops at the first pattern that does not compile and reports no match. */
export function matchesAny(patterns: Iterable<string>, value: string): boolean {
  for (const pattern of patterns) {
    const re = compileGlob(pattern);
    if (!re) return false;
    if (re.test(value)) return true;
  }
  return false;
}

/** A pattern without glob syntax matches only itself. */
const isLiteral = (pattern: string) => !/[*?[\]{}\\]/.test(pattern);

/** matchesAny, by set lookup when no pattern has glob syntax (an expanded namespace list of 100 names is asked once per item). */
function matcher(patterns: Set<string>): (value: string) => boolean {
  return [...patterns].every(isLiteral) ? (value) => patterns.has(value) : (value) => matchesAny(patterns, value);
}

export class IncludesExcludes {
  readonly includes: Set<string>;
  readonly excludes: Set<string>;
  private readonly included: (value: string) => boolean;
  private readonly excluded: (value: string) => boolean;

  constructor(includes: Iterable<string> = [], excludes: Iterable<string> = []) {
    this.includes = new Set(includes);
    this.excludes = new Set(excludes);
    this.included = matcher(this.includes);
    this.excluded = matcher(this.excludes);
  }

  shouldInclude(value: string): boolean {
    if (this.excluded(value)) return false;
    return this.includes.size === 0 || this.includes.has('*') || this.included(value);
  }

  isExcluded(value: string): boolean {
    return this.excluded(value);
  }

  /** No excludes and the includes are empty or just `*`. */
  includeEverything(): boolean {
    return this.excludes.size === 0 && (this.includes.size === 0 || (this.includes.size === 1 && this.includes.has('*')));
  }

  includesString(): string {
    return this.includes.size ? [...this.includes].sort().join(', ') : '*';
  }

  excludesString(): string {
    return this.excludes.size ? [...this.excludes].sort().join(', ') : '<none>';
  }
}

/** Velero's ValidateIncludesExcludes: messages for a spec that must fail validation. */
export function validateIncludesExcludes(includes: string[] = [], excludes: string[] = []): string[] {
  const inc = new Set(includes);
  const exc = new Set(excludes);
  const errors: string[] = [];
  if (inc.size > 1 && inc.has('*')) errors.push("includes list must either contain '*' only, or a non-empty list of items");
  if (exc.has('*')) errors.push("excludes list cannot contain '*'");
  for (const item of [...exc].sort()) if (inc.has(item)) errors.push(`excludes list cannot contain an item in the includes list: ${item}`);
  return errors;
}

/** Velero's ValidateScopedIncludesExcludes, for the *-scoped-resources lists where `*` may be excluded. */
export function validateScopedIncludesExcludes(includes: string[] = [], excludes: string[] = []): string[] {
  const inc = new Set(includes);
  const exc = new Set(excludes);
  const errors: string[] = [];
  if (inc.size > 1 && inc.has('*')) errors.push("includes list must either contain '*' only, or a non-empty list of items");
  if (exc.size > 1 && exc.has('*')) errors.push("excludes list must either contain '*' only, or a non-empty list of items");
  if (inc.size > 0 && exc.has('*')) errors.push("when exclude is '*', include cannot have value");
  for (const item of [...exc].sort()) if (inc.has(item)) errors.push(`excludes list cannot contain an item in the includes list: ${item}`);
  return errors;
}
