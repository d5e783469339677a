package jsonobj

import (
	"bytes"
	"encoding/json"
)

// EachMember calls f with the name and raw value of each member of the
// JSON object data, in order, and returns f's first error. It returns nil
// without calling f further when data is not an object or is malformed:
// the decoder that reads data next words that error.
func EachMember(data []byte, f func(name string, value json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if dec.Decode(&value) != nil {
			return nil
		}
		if err := f(name, value); err != nil {
			return err
		}
	}
	return nil
}
