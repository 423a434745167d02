//go:build tools

// Package tools only exists so that `go mod tidy` records Velero's AWS object-store plugin, which
// the stock Velero server of the interop tests loads from its --plugin-dir (hack/harness/velero.ts).
package tools

import _ "github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws"
