package oauth2

import (
	"bytes"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// sameJSON fails t when got is not what core.MarshalJSON writes for v.
func sameJSON(t *testing.T, v any, got []byte, err error) {
	t.Helper()
	want, werr := core.MarshalJSON(v)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Fatalf("%#v:\n got %s (%v)\nwant %s (%v)", v, got, err, want, werr)
	}
}

// FuzzMarshalJSON: the token, introspection and error answers written
// without reflection are byte for byte core.MarshalJSON's, whatever the
// strings hold (quotes, backslashes, control characters, HTML characters,
// non-ASCII, invalid UTF-8) and whether the optional fields are empty.
func FuzzMarshalJSON(f *testing.F) {
	f.Add("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "", "read write", "", int64(3600), true)
	f.Add("a\"b", "c\\d", "<script>&", "e\x00\n\t", int64(0), false)
	f.Add("é", "\xff", "\u2028", "\x7f", int64(-1), true)
	f.Add("", "", "", "", int64(1<<62), false)
	f.Fuzz(func(t *testing.T, a, b, c, d string, n int64, active bool) {
		tok := &OAuth2Token{AccessToken: a, TokenType: "Bearer", ExpiresIn: n, RefreshToken: b, Scope: c, IDToken: d}
		got, err := marshalToken(tok)
		sameJSON(t, tok, got, err)
		in := &Introspection{Active: active, Scope: c, ClientID: a, Username: b, TokenType: d, Exp: n, Iat: n / 2, Sub: d, Iss: b}
		got, err = marshalIntrospection(in)
		sameJSON(t, in, got, err)
		got, err = marshalIntrospection(&Introspection{})
		sameJSON(t, &Introspection{}, got, err)
		e := errorBody{a, c}
		got, err = marshalErrorBody(e)
		sameJSON(t, e, got, err)
	})
}
