package jsonobj

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

func TestEachMember(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string // name=value of each member f sees
	}{
		{`{"a":1,"b":{"c":[2]},"a":null}`, []string{`a=1`, `b={"c":[2]}`, `a=null`}}, // order and duplicates kept
		{`{"\u0055SER":"x"}`, []string{`USER="x"`}},                                  // names unescaped
		{` { } `, nil},
		{`[1,2]`, nil},                    // not an object
		{`{"a":1,"b":}`, []string{`a=1`}}, // malformed: stops, no error
		{`{"a"`, nil},
		{``, nil},
	} {
		var got []string
		if err := EachMember([]byte(c.in), func(name string, v json.RawMessage) error {
			got = append(got, name+"="+string(v))
			return nil
		}); err != nil {
			t.Errorf("%s: %v", c.in, err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: members %q, want %q", c.in, got, c.want)
		}
	}
	stop := errors.New("stop")
	n := 0
	err := EachMember([]byte(`{"a":1,"b":2}`), func(string, json.RawMessage) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("f's error: %v after %d calls, want stop after 1", err, n)
	}
}
