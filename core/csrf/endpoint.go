package csrf

import (
	"net/http"

	"github.com/reinhardt-go/auth/core"
)

// TokenEndpoint returns the endpoint of GET /api/auth/csrf: 200
// {"csrfToken": "<masked token>"} and the csrftoken cookie (Django's
// get_token), for single-page applications that must send X-CSRFToken.
func (p *Protector) TokenEndpoint() core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		tok, err := p.Token(r, w)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		return core.WriteJSON(w, http.StatusOK, map[string]string{"csrfToken": tok})
	})
}
