package hashers

import "time"

// RaceEnabled reports whether the tests run under the race detector, which
// makes the default work factors 10-15 times slower.
const RaceEnabled = raceEnabled

// SetMeanRun sets the mean computation time of l's early-refusal
// estimate, as if its computations had taken d.
func SetMeanRun(l *Limiter, d time.Duration) { l.meanRun.Store(int64(d)) }

// MeanRun is the mean computation time l has measured.
func MeanRun(l *Limiter) time.Duration { return time.Duration(l.meanRun.Load()) }

// Observe adds a computation of d to l's mean.
func Observe(l *Limiter, d time.Duration) { l.observe(d) }

// Queued is the number of callers in l's queue, read under its lock.
func Queued(l *Limiter) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queue.Len()
}
