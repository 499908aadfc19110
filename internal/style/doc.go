// Package style holds the tests of the house style that gofmt and go vet
// do not check, run over the whole module by go test.
package style
