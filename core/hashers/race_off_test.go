//go:build !race

package hashers

const raceEnabled = false
