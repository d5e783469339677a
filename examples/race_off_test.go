//go:build !race

package examples_test

// raceFlags builds the example servers the way this test binary was built.
var raceFlags []string
