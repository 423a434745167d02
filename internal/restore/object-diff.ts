// Compares what a restore meant to write with what is in the cluster. "Subset" semantics: every
// field of the wanted object must be present with the same value in the live one; fields only the
// live object has (server defaults, cluster IPs, uids…) are not differences. Used for existing
// objects during a restore, for the dry-run preview, and as the fidelity report's oracle.
export interface FieldDifference {
  path: string;
  wanted: unknown;
  live: unknown;
}

const IGNORED_PATHS = new Set(['metadata.resourceVersion', 'metadata.uid', 'metadata.creationTimestamp', 'metadata.generation', 'metadata.managedFields', 'status']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function subsetDifferences(wanted: unknown, live: unknown, path = '', out: FieldDifference[] = []): FieldDifference[] {
  if (IGNORED_PATHS.has(path)) return out;
  // An empty map or list and an absent field mean the same to the API server.
  if (live === undefined && ((isObject(wanted) && Object.keys(wanted).length === 0) || (Array.isArray(wanted) && wanted.length === 0))) return out;
  if (isObject(wanted)) {
    if (!isObject(live)) {
      out.push({ path: path || '.', wanted, live });
      return out;
    }
    for (const [key, value] of Object.entries(wanted)) subsetDifferences(value, live[key], path ? `${path}.${key}` : key, out);
    return out;
  }
  if (Array.isArray(wanted)) {
    if (!Array.isArray(live) || live.length !== wanted.length) {
      out.push({ path: path || '.', wanted, live });
      return out;
    }
    wanted.forEach((value, i) => subsetDifferences(value, live[i], `${path}[${i}]`, out));
    return out;
  }
  if (wanted !== live && !(wanted === null && live === undefined)) out.push({ path: path || '.', wanted, live });
  return out;
}

/** `spec.replicas: 3 → 1` lines, values shortened, for previews and reports. */
export function formatDifferences(diffs: FieldDifference[], limit = 10): string[] {
  const show = (v: unknown) => {
    const text = v === undefined ? '<absent>' : JSON.stringify(v);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  };
  const lines = diffs.slice(0, limit).map((d) => `${d.path}: ${show(d.wanted)} (backup) vs ${show(d.live)} (cluster)`);
  if (diffs.length > limit) lines.push(`… and ${diffs.length - limit} more`);
  return lines;
}

/** A Secret's fields whose values may be printed in a difference; every other value is hidden. */
const SECRET_SHOWN = [/^type$/, /^metadata\.labels(\.|$)/, /^metadata\.(name|namespace)$/];

/**
 * Differences as they may be shown. A Secret's values (data, stringData, and annotations such as
 * kubectl's last-applied-configuration, which repeat them) never reach a preview, a warning or a
 * fidelity report: the difference is named, its values are replaced by their sizes.
 */
export function shownDifferences(kind: string | undefined, diffs: FieldDifference[]): FieldDifference[] {
  if (kind !== 'Secret') return diffs;
  const hide = (v: unknown) => (v === undefined ? undefined : `<hidden: ${JSON.stringify(v).length} bytes>`);
  return diffs.map((d) => (SECRET_SHOWN.some((re) => re.test(d.path)) ? d : { path: d.path, wanted: hide(d.wanted), live: hide(d.live) }));
}
