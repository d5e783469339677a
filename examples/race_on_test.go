//go:build race

package examples_test

// raceFlags builds the example servers the way this test binary was built,
// so that a data race in a server fails the test too and the build reuses
// the packages `go test -race` already compiled.
var raceFlags = []string{"-race"}
