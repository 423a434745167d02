// Loads the user's kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG, else
// ~/.kube/config; --context picks a context other than the current one. client-node is loaded here,
// when a command first needs the cluster, so start-up (`version`, completion) does not pay for it.
// Only its config module: the package's index brings every generated API client and model (a 17 MB
// chunk, held in memory as source for the whole run), which a backup or restore never calls.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

export class KubeConfigError extends Error {}

export async function loadKubeConfig(target: KubeTarget = {}): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
  const kc = new KubeConfig();
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else if (!process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !process.env.KUBERNETES_SERVICE_HOST) {
      // client-node would fall back to http://localhost:8080 and fail later with a puzzling error.
      throw new KubeConfigError('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config (kubectl config view shows what kubectl uses)');
    } else kc.loadFromDefault();
  } catch (error) {
    if (error instanceof KubeConfigError) throw error;
    throw new KubeConfigError(`cannot read kubeconfig ${target.kubeconfig ?? '(default)'}: ${(error as Error).message}`);
  }
  if (target.context) {
    if (!kc.getContexts().some((c) => c.name === target.context)) {
      throw new KubeConfigError(`context "${target.context}" not found in kubeconfig: see kubectl config get-contexts`);
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubeConfigError('no current cluster in kubeconfig: pass --kubeconfig or --context, or run kubectl config use-context');
  }
  return kc;
}
