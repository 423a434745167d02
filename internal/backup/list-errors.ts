// How API failures read in a backup's log and results.
import { KubeApiError } from '../kube/errors.ts';

export function isForbidden(error: unknown): boolean {
  return error instanceof KubeApiError ? error.isForbidden : (error as { status?: number } | undefined)?.status === 403;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
