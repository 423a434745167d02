// kubectl's connection flags, shared by every command that talks to the cluster. kubectl passes
// its own global flags through to plugins untouched, so a user's `--context` or `-n` reaches us as typed.
import { Option } from 'clipanion';
import type { KubeTarget } from '../internal/kube/kubeconfig.ts';

export const DEFAULT_VELERO_NAMESPACE = 'velero';

export function kubeOptions() {
  return {
    kubeconfig: Option.String('--kubeconfig', { description: 'path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' }),
    context: Option.String('--context', { description: 'the kubeconfig context to use' }),
    namespace: Option.String('-n,--namespace', { description: `the namespace Velero objects belong to (default "${DEFAULT_VELERO_NAMESPACE}")` }),
  };
}

export function kubeTarget(flags: { kubeconfig?: string; context?: string }): KubeTarget {
  return { kubeconfig: flags.kubeconfig, context: flags.context };
}

export function veleroNamespace(flags: { namespace?: string }, env: Record<string, string | undefined> = process.env): string {
  return flags.namespace || env.VELERO_NAMESPACE || DEFAULT_VELERO_NAMESPACE;
}
