//go:build tools

// Package tools only exists so that `go mod tidy` records the fake-gcs-server command hack/cluster
// builds (a Google Cloud Storage emulator for Velero's `gcp` provider).
package tools

import _ "github.com/fsouza/fake-gcs-server"
