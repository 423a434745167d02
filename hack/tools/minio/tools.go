//go:build tools

// Package tools only exists so that `go mod tidy` records the MinIO command hack/cluster builds.
package tools

import _ "github.com/minio/minio"
