package csrf

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzTokenParsers feeds any string to the token and cookie parsers: they
// never panic, accept only 32 or 64 characters of [a-zA-Z0-9], and a
// secret they accept round-trips through masking.
func FuzzTokenParsers(f *testing.F) {
	for _, v := range maskVectors {
		f.Add(v.token, v.secret)
	}
	f.Add("", "")
	f.Add(strings.Repeat("a", 64), strings.Repeat("\xff", 32))
	f.Add(strings.Repeat("9", 63)+"é", strings.Repeat("Z", 33))
	f.Fuzz(func(t *testing.T, token, stored string) {
		ok := VerifyToken(token, stored)
		if ok && (checkFormat(token) != "" || checkFormat(stored) != "") {
			t.Fatalf("VerifyToken accepted malformed input %q / %q", token, stored)
		}
		secret, sok := secretOf(stored)
		if sok != (checkFormat(stored) == "") {
			t.Fatalf("secretOf(%q) ok=%v but format %q", stored, sok, checkFormat(stored))
		}
		if sok {
			if !ValidSecret(secret) {
				t.Fatalf("secretOf(%q) = %q, not a secret", stored, secret)
			}
			masked := MaskSecret(secret)
			if !VerifyToken(masked, stored) || !VerifyToken(secret, stored) {
				t.Fatalf("a token for the stored value %q did not verify", stored)
			}
		}
		if u, uok := UnmaskToken(token); uok && (len(token) != TokenLength || !ValidSecret(u)) {
			t.Fatalf("UnmaskToken(%q) = %q", token, u)
		}
	})
}

// FuzzFormTokenFromBody feeds any body and content type to the form
// parsers Prepare uses: they never panic and return at most a small value.
func FuzzFormTokenFromBody(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("csrfmiddlewaretoken=abc&x=%zz"))
	f.Add("multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\nabc\r\n--X--\r\n"))
	f.Add("multipart/form-data", []byte("--"))
	f.Add("text/plain", []byte("csrfmiddlewaretoken=abc"))
	f.Add("application/x-www-form-urlencoded", []byte("csrfmiddlewaretoken=%zz&csrf%6Diddlewaretoken=b%20c&csrfmiddlewaretoken=d"))
	f.Add("application/x-www-form-urlencoded", []byte("a=1;csrfmiddlewaretoken=x&&csrfmiddlewaretoken&csrfmiddlewaretoken=y"))
	f.Add("application/x-www-form-urlencoded", []byte("%63%73%72%66%6d%69%64%64%6c%65%77%61%72%65%74%6f%6b%65%6e=z"))
	f.Add("application/x-www-form-urlencoded", []byte(strings.Repeat("&", 10000)+"csrfmiddlewaretoken=many"))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		v := FormTokenFromBody(ct, body)
		if strings.HasPrefix(ct, "multipart/") && len(v) > maxFieldBytes {
			t.Fatalf("a %d-byte field came out of a multipart body", len(v))
		}
		if len(v) > len(body) {
			t.Fatalf("the field (%d bytes) is longer than the body (%d)", len(v), len(body))
		}
		vals, _ := url.ParseQuery(string(body))
		if want := vals.Get(FormField); formValue(string(body), FormField) != want {
			t.Fatalf("formValue(%q) = %q, url.ParseQuery's %q", body, formValue(string(body), FormField), want)
		}
	})
}

// TestFormValueFieldLimit: over a limit on the number of fields set lower
// than url.ParseQuery's default (GODEBUG urlmaxqueryparams), the token is
// not found, as url.ParseQuery finds no field.
func TestFormValueFieldLimit(t *testing.T) {
	t.Setenv("GODEBUG", "urlmaxqueryparams=10")
	body := FormField + "=tok" + strings.Repeat("&x=1", 15)
	if _, err := url.ParseQuery(body); err == nil {
		t.Fatal("url.ParseQuery does not read urlmaxqueryparams from GODEBUG: nothing to hold formValue to")
	}
	if v := formValue(body, FormField); v != "" {
		t.Errorf("formValue over the limit = %q", v)
	}
	if v := formValue(FormField+"=tok&x=1", FormField); v != "tok" {
		t.Errorf("formValue under the limit = %q", v)
	}
}
