package passwordreset

import "github.com/reinhardt-go/auth/core/signing"

// MakeTokenAt is Django's _make_token_with_timestamp(user, ts, legacy),
// for the tests.
func (g *Generator) MakeTokenAt(u User, ts int64, legacy bool) string {
	alg := g.algorithm()
	if legacy {
		alg = signing.SHA1
	}
	return g.makeToken(u, ts, g.Secret, alg)
}
