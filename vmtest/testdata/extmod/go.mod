module example.com/erstharness

go 1.26.0

// This module stands for a project outside erst that uses its harness.
// It requires erst at the version TestExternalModule serves from a module
// proxy directory built from this checkout (extVersion), with no replace:
// go mod tidy fills in the rest.
require github.com/goerst/erst v0.99.0
