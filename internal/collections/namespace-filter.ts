// Namespace include/exclude with Velero's wildcard expansion: when an include or exclude holds a
// pattern (`app-*`), both lists are expanded against the namespaces that exist, and an include
// pattern that matches nothing then means "no namespace" rather than "every namespace".
import { compileGlob, containsWildcard } from './glob.ts';
import { IncludesExcludes, validateIncludesExcludes } from './includes-excludes.ts';

export class NamespaceFilter {
  private filter: IncludesExcludes;
  private expanded = false;

  constructor(includes: string[] = [], excludes: string[] = []) {
    this.filter = new IncludesExcludes(includes, excludes);
  }

  get includes(): string[] {
    return [...this.filter.includes].sort();
  }

  get excludes(): string[] {
    return [...this.filter.excludes].sort();
  }

  get wildcardExpanded(): boolean {
    return this.expanded;
  }

  static shouldExpand(includes: string[], excludes: string[]): boolean {
    if (includes.length === 0 || includes.includes('*')) return false;
    return includes.some(containsWildcard) || excludes.some(containsWildcard);
  }

  /** Expands patterns against the namespaces that exist now; call once the namespace list is known. */
  expand(activeNamespaces: string[]): void {
    const includes = this.includes;
    const excludes = this.excludes;
    if (!NamespaceFilter.shouldExpand(includes, excludes)) return;
    const expand = (patterns: string[]) => {
      const out = new Set<string>();
      for (const pattern of patterns) {
        if (!containsWildcard(pattern)) out.add(pattern);
        else {
          const re = compileGlob(pattern);
          for (const ns of activeNamespaces) if (re?.test(ns)) out.add(ns);
        }
      }
      return out;
    };
    this.filter = new IncludesExcludes(expand(includes), expand(excludes));
    this.expanded = true;
  }

  shouldInclude(namespace: string): boolean {
    if (this.expanded && this.filter.includes.size === 0) return false;
    return this.filter.shouldInclude(namespace);
  }

  includeEverything(): boolean {
    return this.filter.includeEverything();
  }

  /** Namespaces to LIST in one by one; [undefined] means one cluster-wide list (all namespaces). */
  namespacesToList(): (string | undefined)[] {
    if (this.shouldInclude('*')) return [undefined];
    return this.includes.filter((ns) => this.shouldInclude(ns));
  }

  includesString(): string {
    return this.filter.includesString();
  }

  excludesString(): string {
    return this.filter.excludesString();
  }
}

const UNSUPPORTED = /[|()!{},]/;

/** Velero's ValidateNamespaceIncludesExcludes (names must be DNS labels once wildcards are replaced). */
export function validateNamespaceIncludesExcludes(includes: string[] = [], excludes: string[] = []): string[] {
  const errors = validateIncludesExcludes(includes, excludes);
  for (const ns of [...new Set([...includes, ...excludes])]) {
    if (ns === '' || ns === '*') continue;
    if (UNSUPPORTED.test(ns)) errors.push(`invalid namespace "${ns}": wildcard pattern contains unsupported characters: |, (, ), !, {, }, ,`);
    else if (ns.includes('**')) errors.push(`invalid namespace "${ns}": wildcard pattern contains consecutive asterisks (only single * allowed)`);
    else if (containsWildcard(ns) && !compileGlob(ns)) errors.push(`invalid namespace "${ns}": wildcard pattern contains an unclosed or empty bracket`);
    else {
      const plain = ns.replace(/[*?[\]]/g, 'x');
      if (plain.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(plain)) {
        errors.push(`invalid namespace "${ns}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`);
      }
    }
  }
  return errors;
}
