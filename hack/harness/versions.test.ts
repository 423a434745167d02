// The pins are read from hack/tools/*/go.mod, and the version stamps derived from them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ldflags } from './build.ts';
import { cacheVersion, COMPONENTS, pinnedVersion } from './versions.ts';

test('every component has a pinned version in its go.mod', () => {
  for (const component of Object.values(COMPONENTS)) assert.match(pinnedVersion(component), /^v\d+\.\d+\.\d+/, component.name);
  assert.match(pinnedVersion(COMPONENTS['kube-apiserver']), /^v1\.35\.\d+$/);
});

test('Kubernetes binaries are stamped with the release, not v0.0.0-master', () => {
  const flags = ldflags(COMPONENTS['kube-apiserver'], 'v1.35.4');
  assert.match(flags, /-X k8s\.io\/component-base\/version\.gitVersion=v1\.35\.4/);
  assert.match(flags, /gitMajor=1 /);
  assert.match(flags, /gitMinor=35 /);
});

test('MinIO is stamped with the release named after its pseudo-version time', () => {
  const flags = ldflags(COMPONENTS.minio, 'v0.0.0-20260212201848-7aac2a2c5b7c');
  assert.match(flags, /cmd\.ReleaseTag=RELEASE\.2026-02-12T20-18-48Z/);
  assert.match(flags, /cmd\.Version=2026-02-12T20:18:48Z/);
  assert.match(flags, /cmd\.CommitID=7aac2a2c5b7c/);
});

test('Velero is stamped with its release, so `velero version` and the server log name it', () => {
  assert.is(pinnedVersion(COMPONENTS.velero), 'v1.18.3');
  assert.match(ldflags(COMPONENTS.velero, 'v1.18.3'), /-X github\.com\/vmware-tanzu\/velero\/pkg\/buildinfo\.Version=v1\.18\.3/);
  assert.not.match(ldflags(COMPONENTS['velero-plugin-for-aws'], 'v1.14.3'), /buildinfo/);
});

test('a program of ours is cached under its pin and the hash of its sources; a module under its pin alone', () => {
  assert.match(cacheVersion(COMPONENTS['minio-admin']), new RegExp(`^${pinnedVersion(COMPONENTS['minio-admin'])}-src\\.[0-9a-f]{12}$`));
  assert.is(cacheVersion(COMPONENTS.minio), pinnedVersion(COMPONENTS.minio));
});

test.run();
