package filestore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/stores/storetest"
)

// BenchmarkLoadModifySave is one request's session work through the
// Manager: a read of the session's file, then a locked save (temporary
// file, fsync, rename, fsync of the directory) in a temporary directory.
func BenchmarkLoadModifySave(b *testing.B) {
	storetest.BenchmarkLoadModifySave(b, open(b, b.TempDir()))
}
