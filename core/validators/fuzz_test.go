package validators

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func FuzzValidate(f *testing.F) {
	for _, s := range [][3]string{
		{"", "", ""},
		{"testclient", "testclient", "testclient@example.com"},
		{"1234", "1234", "a."},
		{"ΟΔΥΣΣΕΥΣ", "İstanbul", "x@y"},
		{"\xff\xfe", "\x80", "\xc3"},
		{" password ", "", ".."},
		{"１２３４５６７８", "e\u0301", "😀@😀"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	vs := DefaultValidators()
	low := UserAttributeSimilarityValidator{MaxSimilarity: 0.1}
	known := map[string]bool{
		CodePasswordTooShort: true, CodePasswordTooSimilar: true,
		CodePasswordTooCommon: true, CodePasswordEntirelyNumeric: true,
	}
	f.Fuzz(func(t *testing.T, password, username, email string) {
		user := Attrs{"username": username, "email": email, "first_name": email, "last_name": username}
		for _, err := range []error{
			Validate(password, user, vs...),
			Validate(password, user, low, MinimumLengthValidator{MinLength: 1}),
			Validate(password, nil, vs...),
		} {
			if err == nil {
				continue
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("non-validation error %v", err)
			}
			if len(ve.Errors) == 0 || ve.Error() == "" {
				t.Fatalf("empty ValidationError %#v", ve)
			}
			for _, d := range ve.Errors {
				if !known[d.Code] || d.Message == "" {
					t.Fatalf("unexpected detail %q", d)
				}
			}
		}
		// Invariants of the ports.
		if r := quickRatio(pyLower(password), pyLower(username)); r < 0 || r > 1 {
			t.Fatalf("quickRatio = %v", r)
		}
		if s := pyStripString(password); utf8.ValidString(password) && string(pyStrip([]rune(password))) != s {
			t.Fatalf("pyStrip and pyStripString disagree on %q", password)
		}
		if err := (MinimumLengthValidator{}).Validate(password, nil); (err != nil) != (utf8.RuneCountInString(password) < 8) {
			t.Fatalf("MinimumLengthValidator(%q) = %v", password, err)
		}
	})
}
