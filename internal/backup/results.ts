// Warnings and errors of a run, grouped as Velero's NAME-results.gz wants them:
// {"errors": {velero, cluster, namespaces: {ns: [...]}}, "warnings": {...}}, empty parts omitted.
import { safeLine } from '../text/quote.ts';

export interface ResultGroup {
  velero?: string[];
  cluster?: string[];
  namespaces?: Record<string, string[]>;
}

export interface BackupResults {
  errors: ResultGroup;
  warnings: ResultGroup;
}

/** Where a message belongs: a namespace, the cluster (cluster-scoped items), or Velero itself. */
export type ResultScope = { namespace: string } | 'cluster' | 'velero';

export class ResultsCollector {
  private readonly data: BackupResults = { errors: {}, warnings: {} };
  private counts = { errors: 0, warnings: 0 };

  warn(scope: ResultScope, message: string): void {
    this.add('warnings', scope, message);
  }

  error(scope: ResultScope, message: string): void {
    this.add('errors', scope, message);
  }

  get warnings(): number {
    return this.counts.warnings;
  }

  get errors(): number {
    return this.counts.errors;
  }

  toJSON(): BackupResults {
    return structuredClone(this.data);
  }

  private add(kind: 'errors' | 'warnings', scope: ResultScope, raw: string): void {
    // Messages quote names from the backup or the cluster: one safe line each.
    const message = safeLine(raw);
    this.counts[kind]++;
    const group = this.data[kind];
    if (scope === 'velero') (group.velero ??= []).push(message);
    else if (scope === 'cluster') (group.cluster ??= []).push(message);
    else ((group.namespaces ??= {})[scope.namespace] ??= []).push(message);
  }
}

export function scopeOf(namespace: string | undefined): ResultScope {
  return namespace ? { namespace } : 'cluster';
}
