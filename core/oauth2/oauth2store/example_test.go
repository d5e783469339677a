package oauth2store_test

import (
	"fmt"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// A store keeps a code or token only as its SHA-256 in hex: the client's
// value never reaches the database.
func ExampleHashToken() {
	fmt.Println(oauth2store.HashToken("QX4JZ7C3W2KSRAFV5MHTYB6LDE"))
	// Output: dcde7ba356f0e21f80c82a35b41f8401bd720123874cf3ea07383e7b64252148
}
