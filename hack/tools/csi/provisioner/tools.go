//go:build tools

// Package tools only exists so that `go mod tidy` records csi-provisioner, which hack/cluster
// builds for `up --csi`. It has a go.mod of its own: v5.3.0 is built on Kubernetes 1.33 libraries
// (and gateway-api on structured-merge-diff v4), which do not build beside the snapshotter's 1.35.
package tools

import _ "github.com/kubernetes-csi/external-provisioner/v5/cmd/csi-provisioner"
