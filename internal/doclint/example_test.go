package doclint_test

import (
	"fmt"

	"github.com/reinhardt-go/auth/internal/doclint"
)

// CheckSource lists the exported identifiers of a file that have no doc
// comment.
func ExampleCheckSource() {
	src := `// Package shop sells things.
package shop

// Price is in cents.
type Price int

func Total(items []Price) Price { return 0 }
`
	found, err := doclint.CheckSource("shop.go", []byte(src))
	if err != nil {
		panic(err)
	}
	for _, f := range found {
		fmt.Println(f)
	}
	// Output:
	// shop.go:7: func Total has no doc comment
}
