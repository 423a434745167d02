//go:build tools

// Package tools only exists so that `go mod tidy` records the etcd command hack/cluster builds.
package tools

import _ "go.etcd.io/etcd/server/v3"
