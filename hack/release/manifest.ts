// Renders krew/velero.yaml.tmpl: {{version}}, {{uri OS/ARCH}} and {{sha256 OS/ARCH}}. Any other
// placeholder, or a platform without a built archive, is an error — never a half-filled manifest.

export interface BuiltArchive {
  os: string;
  arch: string;
  file: string;
  sha256: string;
}

/** The default release location; KUBECTL_VELERO_RELEASE_URI_BASE (or --uri-base) overrides it. */
export function defaultUriBase(version: string): string {
  return `https://github.com/kubectl-velero/kubectl-velero/releases/download/v${version}/`;
}

export function renderManifest(template: string, version: string, uriBase: string, archives: BuiltArchive[]): string {
  const base = uriBase.endsWith('/') ? uriBase : `${uriBase}/`;
  const find = (platform: string): BuiltArchive => {
    const a = archives.find((x) => `${x.os}/${x.arch}` === platform);
    if (!a) throw new Error(`krew template names ${platform}, but no archive was built for it`);
    return a;
  };
  return template.replace(/\{\{\s*([a-z0-9]+)(?:\s+([a-z0-9]+\/[a-z0-9]+))?\s*\}\}/g, (whole, key: string, platform?: string) => {
    if (key === 'version' && !platform) return version;
    if (key === 'uri' && platform) return `${base}${find(platform).file}`;
    if (key === 'sha256' && platform) return find(platform).sha256;
    throw new Error(`unknown placeholder ${whole} in the krew template`);
  });
}
