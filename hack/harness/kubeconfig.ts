// Kubeconfig files for the admin user and for each control-plane component, with embedded certs
// so a copied kubeconfig keeps working.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function writeKubeconfig(path: string, opts: { clusterName: string; server: string; caCert: string; cert: string; key: string; user: string }): void {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  const context = `${opts.user}@${opts.clusterName}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.clusterName, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caCert) } }],
    users: [{ name: `${opts.user}@${opts.clusterName}`, user: { 'client-certificate-data': b64(opts.cert), 'client-key-data': b64(opts.key) } }],
    contexts: [{ name: context, context: { cluster: opts.clusterName, user: `${opts.user}@${opts.clusterName}` } }],
    'current-context': context,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
