//go:build tools

// Package tools only exists so that `go mod tidy` records the stock Velero that the interop tests
// and `make bench-vs-velero` run (hack/harness/velero.ts): its server and CLI are one binary.
package tools

import _ "github.com/vmware-tanzu/velero/cmd/velero"
