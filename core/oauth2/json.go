package oauth2

import (
	"strconv"

	"github.com/reinhardt-go/auth/core"
)

// The token, introspection and error answers are small objects of strings
// and integers. jsonObject writes them without reflection, byte for byte
// what core.MarshalJSON (encoding/json, HTML characters not escaped)
// writes for the same struct, as long as every string is printable ASCII
// without '"' and '\'; a string with anything else makes the caller fall
// back to core.MarshalJSON, so that escaping is always encoding/json's.
type jsonObject struct {
	b  []byte
	ok bool // every string so far needed no escaping
}

func newJSONObject(size int) jsonObject {
	return jsonObject{b: append(make([]byte, 0, size), '{'), ok: true}
}

func (o *jsonObject) name(n string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, n...)
	o.b = append(o.b, '"', ':')
}

// str writes "n":"v"; n is a constant that needs no escaping.
func (o *jsonObject) str(n, v string) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			o.ok = false
			return
		}
	}
	o.name(n)
	o.b = append(o.b, '"')
	o.b = append(o.b, v...)
	o.b = append(o.b, '"')
}

func (o *jsonObject) int(n string, v int64) {
	o.name(n)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *jsonObject) bool(n string, v bool) {
	o.name(n)
	o.b = strconv.AppendBool(o.b, v)
}

// done returns the object, or core.MarshalJSON(v) when a string needed
// escaping.
func (o *jsonObject) done(v any) ([]byte, error) {
	if !o.ok {
		return core.MarshalJSON(v)
	}
	return append(o.b, '}'), nil
}

// marshalToken is core.MarshalJSON(t).
func marshalToken(t *OAuth2Token) ([]byte, error) {
	o := newJSONObject(96 + len(t.AccessToken) + len(t.RefreshToken) + len(t.Scope) + len(t.IDToken))
	o.str("access_token", t.AccessToken)
	o.str("token_type", t.TokenType)
	o.int("expires_in", t.ExpiresIn)
	if t.RefreshToken != "" {
		o.str("refresh_token", t.RefreshToken)
	}
	o.str("scope", t.Scope)
	if t.IDToken != "" {
		o.str("id_token", t.IDToken)
	}
	return o.done(t)
}

// marshalIntrospection is core.MarshalJSON(in).
func marshalIntrospection(in *Introspection) ([]byte, error) {
	o := newJSONObject(160 + len(in.Scope) + len(in.ClientID) + len(in.Username) + len(in.Sub) + len(in.Iss))
	o.bool("active", in.Active)
	for _, f := range [...]struct{ n, v string }{{"scope", in.Scope}, {"client_id", in.ClientID}, {"username", in.Username}, {"token_type", in.TokenType}} {
		if f.v != "" {
			o.str(f.n, f.v)
		}
	}
	if in.Exp != 0 {
		o.int("exp", in.Exp)
	}
	if in.Iat != 0 {
		o.int("iat", in.Iat)
	}
	if in.Sub != "" {
		o.str("sub", in.Sub)
	}
	if in.Iss != "" {
		o.str("iss", in.Iss)
	}
	return o.done(in)
}

// marshalErrorBody is core.MarshalJSON(e).
func marshalErrorBody(e errorBody) ([]byte, error) {
	o := newJSONObject(48 + len(e.Error) + len(e.Description))
	o.str("error", e.Error)
	if e.Description != "" {
		o.str("error_description", e.Description)
	}
	return o.done(e)
}

// writeNoStoreJSON writes body, already JSON, with status and the headers
// of every token-endpoint answer: Content-Type: application/json (as
// core.WriteJSON), Cache-Control: no-store and Pragma: no-cache (RFC 6749
// section 5.1; noStore). The three values share one allocation.
func writeNoStoreJSON(w core.Response, status int, body []byte, err error) error {
	if err != nil {
		return err
	}
	h := w.Header()
	vals := make([]string, 3)
	vals[0], vals[1], vals[2] = "no-store", "no-cache", "application/json"
	h["Cache-Control"], h["Pragma"], h["Content-Type"] = vals[0:1:1], vals[1:2:2], vals[2:3:3]
	return w.Write(status, body)
}
