package core_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

func TestDecodeBody(t *testing.T) {
	type in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	cases := []struct {
		ct, body string
		want     in
		status   int
	}{
		{"application/json", `{"username":"a","password":"p"}`, in{"a", "p"}, 0},
		{"application/json; charset=utf-8", `{"username":"ü"}`, in{Username: "ü"}, 0},
		{"application/x-www-form-urlencoded", `username=a&password=p%26q&csrfmiddlewaretoken=x`, in{"a", "p&q"}, 0},
		{"", `{"username":"a"}`, in{Username: "a"}, 0},
		{"", ``, in{}, 0},
		{"application/json", `{"username":"a","is_staff":true}`, in{}, 400},
		{"application/json", `{"username":1}`, in{}, 400},
		{"application/json", `{"username":"a"} {"x":1}`, in{}, 400},
		{"application/json", `[`, in{}, 400},
		{"application/x-www-form-urlencoded", `%zz`, in{}, 400},
		{"text/plain", `username=a`, in{}, 415},
		{"multipart/form-data; boundary=x", `--x--`, in{}, 415},
	}
	for _, c := range cases {
		var got in
		err := core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &got)
		if c.status == 0 {
			if err != nil || got != c.want {
				t.Errorf("%q %q: %+v %v", c.ct, c.body, got, err)
			}
			continue
		}
		var ae *core.APIError
		if !errors.As(err, &ae) || ae.Status != c.status {
			t.Errorf("%q %q: %v, want status %d", c.ct, c.body, err, c.status)
		}
	}
	var got in
	err := core.DecodeBody(reqBody("POST", "/", "application/json", `{"username":"`+string(make([]byte, 100))+`"}`), 50, &got)
	if !errors.Is(err, core.ErrRequestTooLarge) || core.ToAPIError(err).Status != http.StatusRequestEntityTooLarge {
		t.Errorf("over the cap: %v", err)
	}
}

func FuzzDecodeBody(f *testing.F) {
	f.Add("application/json", `{"username":"a"}`)
	f.Add("application/x-www-form-urlencoded", "a=b&c=%zz")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, ct, body string) {
		var dst struct {
			Username string `json:"username"`
		}
		err := core.DecodeBody(reqBody("POST", "/", ct, body), 1<<16, &dst)
		if err != nil {
			if s := core.ToAPIError(err).Status; s < 400 || s >= 500 {
				t.Fatalf("status %d for %q %q", s, ct, body)
			}
		}
	})
}

func TestDecodeBodyRefusesNulAndBadUTF8(t *testing.T) {
	var dst struct {
		Title string `json:"title"`
	}
	for _, c := range []struct{ ct, body, want string }{
		{"application/json", `{"title":"a\u0000b"}`, `{"non_field_errors":["Null characters are not allowed."]}`},
		{"application/x-www-form-urlencoded", `title=a%00b`, `{"non_field_errors":["Null characters are not allowed."]}`},
		{"application/x-www-form-urlencoded", `title=%ff%fe`, `{"detail":"Malformed form data."}`},
	} {
		rec, w := recorder()
		_ = core.WriteError(w, core.DecodeBody(reqBody("POST", "/", c.ct, c.body), 0, &dst), "")
		if rec.Code != 400 || rec.Body.String() != c.want {
			t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body.String())
		}
	}
}
