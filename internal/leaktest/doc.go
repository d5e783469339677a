// Package leaktest holds the goroutines third-party libraries keep running
// by design, which the repository's TestMain functions tell
// goleak.VerifyTestMain to ignore. Every package with tests verifies that
// they leave no goroutine running (internal/doclint checks that each
// TestMain does); a package whose tests run a library listed here passes
// its options:
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(m, leaktest.Fasthttp()...) }
//
// Only goroutines a library keeps on purpose belong here, each with the
// reason; a goroutine the repository's own code leaves behind is a leak to
// fix, not to ignore.
//
// It is internal: a test helper of this repository, not part of the
// library.
package leaktest
