//go:build tools

// Package tools only exists so that `go mod tidy` records the Krew commands that mk/dist.mk builds:
// krew itself (for the install test) and validate-krew-manifest (Krew's own manifest validator).
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
