//go:build tools

// Package tools only exists so that `go mod tidy` records the snapshot sidecars hack/cluster builds
// for `up --csi`, and the CRDs it applies (config/crd of the client module). The host-path driver
// itself is ours, in hostpath/; csi-provisioner has its own go.mod in provisioner/.
package tools

import (
	_ "github.com/kubernetes-csi/external-snapshotter/client/v8/apis/volumesnapshot/v1"
	_ "github.com/kubernetes-csi/external-snapshotter/v8/cmd/csi-snapshotter"
	_ "github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller"
)
