// Client certificates for the node's kubelet (system:node:<name> in system:nodes, for the Node
// authorizer) and kube-proxy (system:kube-proxy, bound to system:node-proxier by default RBAC),
// signed with the cluster's CA by the openssl command line, like hack/harness/certs.ts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function nodeClientCert(dir: string, base: string, subject: string, caCert: string, caKey: string): { cert: string; key: string } {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${base}.key`]);
  openssl(['req', '-new', '-key', `${base}.key`, '-subj', subject, '-out', `${base}.csr`]);
  writeFileSync(join(dir, `${base}.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAserial', join(dir, 'ca.srl'), '-CAcreateserial', '-days', '365', '-extfile', `${base}.ext`, '-out', `${base}.crt`]);
  return { cert: join(dir, `${base}.crt`), key: join(dir, `${base}.key`) };
}
