package validators

import "testing"

func BenchmarkCommonPassword(b *testing.B) {
	v := NewCommonPasswordValidator()
	if err := v.Validate("warm up the list", nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = v.Validate("Tr0ub4dor&3 correct horse", nil)
	}
}

// BenchmarkCommonPasswordFirstUse measures a fresh validator over the
// already decoded shared list: what DefaultValidators() per request costs.
func BenchmarkCommonPasswordFirstUse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = NewCommonPasswordValidator().Validate("Tr0ub4dor&3 correct horse", nil)
	}
}

// BenchmarkDecodeCommonPasswords measures decompressing and indexing the
// embedded list, which happens once per process.
func BenchmarkDecodeCommonPasswords(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parsePasswordList(commonPasswordsGz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSimilarity(b *testing.B) {
	user := Attrs{
		"username":   "jane.doe42",
		"email":      "jane.doe42@example.com",
		"first_name": "Jane",
		"last_name":  "Doe",
	}
	for _, bc := range []struct{ name, password string }{
		{"ascii", "correct horse battery staple"},
		{"unicode", "Ωμέγα-Δέλτα ΣΊΓΜΑ 2024"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v := UserAttributeSimilarityValidator{}
			b.ReportAllocs()
			for b.Loop() {
				_ = v.Validate(bc.password, user)
			}
		})
	}
}

func BenchmarkValidateDefault(b *testing.B) {
	user := Attrs{"username": "jane.doe42", "email": "jane.doe42@example.com"}
	vs := DefaultValidators()
	b.ReportAllocs()
	for b.Loop() {
		_ = Validate("correct horse battery staple", user, vs...)
	}
}
