package hashers

// RaceEnabled reports whether the tests run under the race detector, which
// makes the default work factors 10-15 times slower.
const RaceEnabled = raceEnabled
