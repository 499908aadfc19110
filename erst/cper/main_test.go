package cper_test

import (
	"testing"

	"github.com/goerst/erst/internal/guesttest"
)

func TestMain(m *testing.M) { guesttest.Main(m) }
