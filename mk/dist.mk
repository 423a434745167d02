# Release distribution (issue 8): self-contained executables for Krew.
#   make dist              dist/kubectl-velero_<v>_<os>_<arch>.tar.gz|.zip, dist/SHA256SUMS and
#                          krew/velero.yaml, checked by Krew's validate-krew-manifest
#   make test-dist         dist + the Krew install test (e2e/krew-install.test.ts)
#   make tools-krew        krew + validate-krew-manifest, go build, cached in ~/.cache/kubectl-velero
#   make tools-rcodesign   rcodesign (cargo install, ~2.5 min on 2 cores, once); with it, make dist
#                          re-signs the macOS executables ad hoc after injection
# DIST_TARGETS=linux/amd64,... limits the platforms (the manifest needs all five);
# KUBECTL_VELERO_RELEASE_URI_BASE sets where the manifest says the archives are downloaded from;
# DIST_REQUIRE_SIGNING=1 (for releases) fails when rcodesign is missing instead of leaving the
# macOS executables unsigned.
.PHONY: dist test-dist tools-krew tools-rcodesign

dist: deps
	tsx hack/release/main.ts build

tools-krew: deps
	tsx hack/release/main.ts tools-krew

tools-rcodesign: deps
	tsx hack/release/main.ts tools-rcodesign

test-dist: dist tools-krew
	KUBECTL_VELERO_REQUIRE_DIST=1 node hack/run-tests.mjs e2e krew-install

# The plugin's OCI image for `schedule install` (issue 13): the Linux executable of this machine's
# architecture on the cached Debian `runtime` image, built with umoci (root, no registry) →
# dist/kubectl-velero_<v>_linux_<arch>.oci.tar, which ctr imports and skopeo pushes (README).
.PHONY: image
image: deps
	tsx hack/release/main.ts image
