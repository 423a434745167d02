// kubectl's connection flags, shared by every command that talks to the cluster. kubectl passes
// its own global flags through to plugins untouched, so a user's `--context` or `-n` reaches us as
// typed. Clipanion only sees options declared as fields of the command, so they live on a base class
// (and `--context` is the field `kubeContext`: `context` is clipanion's own I/O context).
import { Option } from 'clipanion';
import { BaseCommand } from './base-command.ts';
import type { KubeTarget } from '../internal/kube/kubeconfig.ts';

export const DEFAULT_VELERO_NAMESPACE = 'velero';

export abstract class KubeCommand extends BaseCommand {
  kubeconfig = Option.String('--kubeconfig', { description: 'path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)' });
  kubeContext = Option.String('--context', { description: 'the kubeconfig context to use' });
  namespace = Option.String('-n,--namespace', { description: `the namespace Velero objects belong to (default "${DEFAULT_VELERO_NAMESPACE}")` });

  kubeTarget(): KubeTarget {
    return { kubeconfig: this.kubeconfig, context: this.kubeContext };
  }

  veleroNamespace(): string {
    return this.namespace || this.context.env.VELERO_NAMESPACE || DEFAULT_VELERO_NAMESPACE;
  }
}
