package sqlstore_test

import (
	"testing"

	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// BenchmarkSessionLoadModifySave is one request's session work on each
// database: load the session from its cookie, read and change a counter,
// save it and set the cookie, through the Manager's Load and Commit as the
// adapters call them (one SELECT and one conditional UPDATE).
//
//	go test -run '^$' -bench SessionLoadModifySave -benchmem ./stores/sqlstore/
func BenchmarkSessionLoadModifySave(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlstore.Store
	}{{"SQLiteMemory", openMemory}, {"SQLiteFile", openFile}, {"Postgres", func(tb testing.TB) *sqlstore.Store {
		if postgresURLOrEmpty() == "" {
			tb.Skip("REINHARDT_TEST_POSTGRES is not set")
		}
		return openPostgres(tb)
	}}} {
		b.Run(db.name, func(b *testing.B) {
			storetest.BenchmarkLoadModifySave(b, db.open(b).Sessions())
		})
	}
}
