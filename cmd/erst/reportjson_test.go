package main

import (
	"github.com/goerst/erst/erst/conform"
	"github.com/goerst/erst/erst/torture"
)

// The tests decode the -json documents into the types of the libraries
// that define them.
type (
	conformJSON = conform.ReportJSON
	verifyJSON  = torture.ReportJSON
)
