package sqlstore_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
	"github.com/reinhardt-go/auth/stores/sqlstore"
	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// TestOAuth2Store runs core/oauth2's Store conformance suite, with its
// 50-goroutine races on one code and one refresh token, on every dialect.
func TestOAuth2Store(t *testing.T) {
	dialects(t, func(t *testing.T, open func(testing.TB) *sqlstore.Store) {
		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store { return open(t).OAuth2() })
	})
}

// TestOAuth2StorePostgresRepeatableRead: on a PostgreSQL whose
// transactions default to repeatable read, the single-use steps still
// answer every racer (one wins, the others see the reuse) instead of
// failing the losers with serialization errors.
func TestOAuth2StorePostgresRepeatableRead(t *testing.T) {
	postgresURL(t)
	oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
		u, _ := postgresSchema(t)
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := parsed.Query()
		q.Set("default_transaction_isolation", "repeatable read")
		parsed.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // libpq reads no "+" as a space
		return openURL(t, parsed.String()).OAuth2()
	})
}
