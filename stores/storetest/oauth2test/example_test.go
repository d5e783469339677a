package oauth2test_test

import (
	"fmt"

	"github.com/reinhardt-go/auth/stores/storetest/oauth2test"
)

// A store implementation runs the suite from its own test, with a new
// empty store for each subtest:
//
//	func TestOAuth2Store(t *testing.T) {
//		oauth2test.TestStore(t, func(t *testing.T) oauth2store.Store {
//			return newEmptyStore(t) // closed with t.Cleanup
//		})
//	}
//
// Every single-use step is raced by Racers goroutines.
func Example() {
	fmt.Println(oauth2test.Racers)
	// Output: 50
}
