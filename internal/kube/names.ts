// Names and namespaces go into API request paths. A name of `..` (or one with `/` or `%`) would
// change which object a request reaches — `…/namespaces/kube-system/serviceaccounts/..` is the
// Namespace kube-system once the URL is normalised — so every segment is checked against
// Kubernetes' own rules before any request and then percent-encoded.
import { quoteUntrusted } from '../text/quote.ts';

export class InvalidNameError extends Error {}

/** Kubernetes' path-segment rule (apimachinery's IsValidPathSegmentName), which every object name obeys. */
export function pathSegmentProblem(segment: string): string | undefined {
  if (segment === '') return 'it is empty';
  if (segment === '.' || segment === '..') return `it may not be "${segment}"`;
  if (segment.includes('/') || segment.includes('%')) return 'it may not contain "/" or "%"';
  // Not a Kubernetes rule for every resource, but no object the API server accepts has one.
  if (/[\u0000-\u001f\u007f]/.test(segment)) return 'it contains control characters';
  if (segment.length > 253) return `it is ${segment.length} characters long, over Kubernetes' 253`;
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name is a DNS-1123 label (Kubernetes' ValidateNamespaceName). */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length > 63) return `it is ${namespace.length} characters long, over 63`;
  if (!DNS_LABEL.test(namespace)) return 'a namespace is lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

export function checkObjectName(name: string, what = 'name'): string {
  const problem = typeof name === 'string' ? pathSegmentProblem(name) : 'it is not a string';
  if (problem) throw new InvalidNameError(`invalid ${what} ${quoteUntrusted(String(name))}: ${problem}`);
  return name;
}

export function checkNamespaceName(namespace: string): string {
  const problem = typeof namespace === 'string' ? namespaceProblem(namespace) : 'it is not a string';
  if (problem) throw new InvalidNameError(`invalid namespace ${quoteUntrusted(String(namespace))}: ${problem}`);
  return namespace;
}

/** A checked, percent-encoded object-name segment for a request path. */
export function nameSegment(name: string): string {
  return encodeURIComponent(checkObjectName(name));
}

/** A checked, percent-encoded namespace segment for a request path. */
export function namespaceSegment(namespace: string): string {
  return encodeURIComponent(checkNamespaceName(namespace));
}

/**
 * Last line of defence in the HTTP client: a path whose segments a URL parser would collapse
 * (`.`, `..`, and their percent-encoded spellings, which WHATWG URLs also collapse) is refused.
 */
export function assertNoDotSegments(path: string): void {
  const bare = path.split('?')[0]!;
  for (const segment of bare.split('/')) {
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') throw new InvalidNameError(`refusing request path ${quoteUntrusted(bare)}: it has a "${decoded}" segment`);
  }
}
