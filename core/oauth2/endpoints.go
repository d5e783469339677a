package oauth2

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/reinhardt-go/auth/core"
)

// The authorize endpoint's parameters that travel through the consent
// form and the login redirect, in this order.
var authorizeParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state",
	"code_challenge", "code_challenge_method", "nonce", "max_age"}

// AuthorizeEndpoint is django-oauth-toolkit's AuthorizationView (mount it
// at Paths.Authorize for GET and POST), behind the session middleware and
// the engine that authenticates the browser:
//
//   - the client and the redirect URI are checked first, exactly; an
//     unknown client or a redirect URI that is not registered is a 400
//     JSON error without Location, never a redirect;
//   - any later error is redirected to the client (error, error_description
//     and state in the query; in the fragment for response_type=token);
//     every answer redirected to the client, code, token or error, has
//     iss, the issuer (RFC 9207);
//   - a browser that is not logged in, or whose login is older than
//     max_age (in whole seconds), is sent to Config.LoginURL with next=
//     this request; with prompt=none it gets error=login_required
//     instead;
//   - prompt=login, and max_age=0, which is the same (OpenID Connect Core
//     section 3.1.2.1), send a logged-in browser to log in again, and
//     record the moment in its session; the request, coming back from the
//     login page unchanged, is served only when the browser's login is
//     later than that moment and the moment at most ten minutes ago
//     (otherwise it is sent to log in again). The moment is used once.
//     Without a session (sessions.FromContext) a login cannot be asked
//     for again: error=login_required;
//   - GET shows the consent page (Config.ConsentTemplate), or redirects at
//     once for an application with SkipAuthorization; POST, under the CSRF
//     check, issues a code (or, for response_type=token and an application
//     registered for the implicit grant, an access token) when
//     allow=Authorize, and error=access_denied otherwise.
func (p *Provider) AuthorizeEndpoint() core.Endpoint { return core.EndpointFunc(p.serveAuthorize) }

type authzRequest struct {
	ps       params
	app      *Application
	redirect string // where to send the answer
	implicit bool
	scopes   []string
}

func (p *Provider) serveAuthorize(w core.Response, r core.Request) error {
	var ps params
	var dup string
	var perr error
	switch r.Method() {
	case http.MethodGet:
		raw, ok := rawQuery(r)
		if ok {
			ps, dup, perr = parseParams(raw)
		} else {
			ps = params{}
			for _, k := range authorizeParams {
				if v := r.Query(k); v != "" {
					ps[k] = v
				}
			}
			ps["prompt"] = r.Query("prompt")
		}
	case http.MethodPost:
		ps, dup, perr = p.readForm(r)
	default:
		w.Header().Set("Allow", "GET, POST")
		return core.MethodNotAllowed(r.Method())
	}
	if perr != nil && (dup == "" || dup == "client_id" || dup == "redirect_uri") {
		return writeError(w, perr)
	}
	ctx := r.Context()
	app, found, err := p.cfg.Store.Application(ctx, ps["client_id"])
	if err != nil {
		return writeError(w, err)
	}
	if !found || ps["client_id"] == "" {
		return writeError(w, invalidRequest("Invalid client_id parameter value."))
	}
	redirect, ok := redirectFor(&app, ps["redirect_uri"])
	if !ok {
		return writeError(w, invalidRequest("Mismatching redirect URI."))
	}
	ar := &authzRequest{ps: ps, app: &app, redirect: redirect, implicit: ps["response_type"] == "token"}
	if perr != nil {
		return p.redirectError(w, ar, perr)
	}
	if err := p.checkAuthorize(ar); err != nil {
		return p.redirectError(w, ar, err)
	}
	prompt, maxAge, err := promptAndMaxAge(ps)
	if err != nil {
		return p.redirectError(w, ar, err)
	}
	id := core.IdentityFromContext(ctx)
	loggedIn := id.User.IsAuthenticated() && id.User.IsActive() && id.User.GetID() != "" &&
		slices.Contains(p.cfg.LoginMethods, id.Method)
	authTime := p.cfg.AuthTime(r)
	now := p.now()
	// max_age counts whole seconds, as auth_time does; max_age=0 is
	// prompt=login (OpenID Connect Core section 3.1.2.1), below.
	if loggedIn && maxAge > 0 && (authTime.IsZero() || now.Unix()-authTime.Unix() > maxAge) {
		loggedIn = false
	}
	if !loggedIn {
		if slices.Contains(prompt, "none") {
			return p.redirectError(w, ar, oerr(ErrCodeLoginRequired, "The user is not logged in."))
		}
		return p.redirectToLogin(w, r, ps)
	}
	if r.Method() == http.MethodGet && (slices.Contains(prompt, "login") || maxAge == 0) && !loggedInAgain(r, authTime, now) {
		// Log in again: only a login after this redirect completes the
		// request when it comes back from the login page unchanged.
		if slices.Contains(prompt, "none") {
			return p.redirectError(w, ar, oerr(ErrCodeLoginRequired, "The user must log in again."))
		}
		if !askLoginAgain(r, now) {
			return p.redirectError(w, ar, oerr(ErrCodeLoginRequired, "The user cannot be asked to log in again."))
		}
		return p.redirectToLogin(w, r, ps)
	}
	if r.Method() == http.MethodPost {
		if err := p.cfg.CSRF.CheckRequest(r); err != nil {
			return err // Django's 403 "CSRF Failed: …", rendered by the adapter
		}
		if ps["allow"] != "Authorize" {
			return p.redirectError(w, ar, oerr(ErrCodeAccessDenied, "The user denied the request."))
		}
		return p.grant(w, r, ar, id.User, authTime)
	}
	if app.SkipAuthorization && !slices.Contains(prompt, "consent") {
		return p.grant(w, r, ar, id.User, authTime)
	}
	if slices.Contains(prompt, "none") {
		return p.redirectError(w, ar, oerr(ErrCodeConsentRequired, "The user has not authorized the client."))
	}
	return p.consent(w, r, ar, id.User)
}

// checkAuthorize checks the sizes of state and nonce, response_type,
// scope (and redirect_uri with openid) and PKCE.
func (p *Provider) checkAuthorize(ar *authzRequest) error {
	if len(ar.ps["state"]) > MaxStateBytes {
		delete(ar.ps, "state") // not echoed back: refused
		return invalidRequest("The state parameter is too long.")
	}
	if err := checkNonce(ar.ps["nonce"]); err != nil {
		return err
	}
	switch ar.ps["response_type"] {
	case "code":
		if !hasGrant(ar.app, GrantAuthorizationCode) {
			return oerr(ErrCodeUnauthorizedClient, "The client is not authorized to use the authorization code grant.")
		}
	case "token":
		if !hasGrant(ar.app, GrantImplicit) {
			ar.implicit = false // the error goes in the query: the client never asked for a fragment
			return oerr(ErrCodeUnsupportedResponseType, "The implicit grant is not enabled for this client.")
		}
	case "":
		return invalidRequest("Missing response_type parameter.")
	default:
		return oerr(ErrCodeUnsupportedResponseType, "Unsupported response_type.")
	}
	scopes, err := p.resolveScopes(ar.app, ar.ps["scope"])
	if err != nil {
		return err
	}
	ar.scopes = scopes
	if err := checkOpenIDRedirect(scopes, ar.ps["redirect_uri"]); err != nil {
		return err
	}
	if !ar.implicit {
		return checkPKCE(ar.app, ar.ps["code_challenge"], ar.ps["code_challenge_method"])
	}
	return nil
}

// promptAndMaxAge parses OpenID Connect's prompt and max_age (-1 when
// absent).
func promptAndMaxAge(ps params) ([]string, int64, error) {
	var prompt []string
	if v, ok := ps["prompt"]; ok && v != "" {
		for s := range strings.SplitSeq(v, " ") {
			switch s {
			case "none", "login", "consent", "select_account":
				prompt = append(prompt, s)
			default:
				return nil, 0, invalidRequest("Invalid prompt parameter.")
			}
		}
		if slices.Contains(prompt, "none") && len(prompt) > 1 {
			return nil, 0, invalidRequest("prompt=none with other values.")
		}
	}
	maxAge := int64(-1)
	if v, ok := ps["max_age"]; ok && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<40 {
			return nil, 0, invalidRequest("Invalid max_age parameter.")
		}
		maxAge = n
	}
	return prompt, maxAge, nil
}

// grant issues the code (or the implicit grant's access token) and
// redirects.
func (p *Provider) grant(w core.Response, r core.Request, ar *authzRequest, u core.User, authTime time.Time) error {
	ctx := r.Context()
	if ar.implicit {
		now := p.now()
		access := newToken()
		if err := p.cfg.Store.SaveTokens(ctx, p.accessRecord(access, ar.app.ClientID, u.GetID(), ar.scopes, now, authTime)); err != nil {
			return p.redirectError(w, ar, err)
		}
		v := url.Values{"access_token": {access}, "token_type": {"Bearer"},
			"expires_in": {strconv.FormatInt(int64(p.cfg.AccessTokenTTL/time.Second), 10)}, "scope": {strings.Join(ar.scopes, " ")},
			"iss": {p.cfg.Issuer}}
		if s := ar.ps["state"]; s != "" {
			v.Set("state", s)
		}
		return redirect(w, ar.redirect+"#"+v.Encode())
	}
	code, err := p.issueCode(ctx, ar.app, AuthorizationRequest{
		ClientID: ar.app.ClientID, RedirectURI: ar.ps["redirect_uri"], UserID: u.GetID(),
		CodeChallenge: ar.ps["code_challenge"], CodeChallengeMethod: ar.ps["code_challenge_method"],
		Nonce: ar.ps["nonce"], AuthTime: authTime,
	}, ar.scopes)
	if err != nil {
		return p.redirectError(w, ar, err)
	}
	v := url.Values{"code": {code}, "iss": {p.cfg.Issuer}}
	if s := ar.ps["state"]; s != "" {
		v.Set("state", s)
	}
	return redirect(w, withQuery(ar.redirect, v))
}

// withQuery appends v to uri's query (the registered URI's own query
// stays as it is).
func withQuery(uri string, v url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}

func redirect(w core.Response, to string) error {
	h := w.Header()
	h.Set("Location", to)
	noStore(h)
	return w.Write(http.StatusFound, nil)
}

// redirectError sends err to the client's redirect URI (RFC 6749 section
// 4.1.2.1): in the query, or the fragment for the implicit grant. Like
// every authorization response it names the issuer (iss, RFC 9207), so
// that a client talking to several servers can tell which answered.
func (p *Provider) redirectError(w core.Response, ar *authzRequest, err error) error {
	e := asError(err)
	v := url.Values{"error": {e.Code}, "iss": {p.cfg.Issuer}}
	if e.Description != "" {
		v.Set("error_description", e.Description)
	}
	if s := ar.ps["state"]; s != "" {
		v.Set("state", s)
	}
	if ar.implicit {
		return redirect(w, ar.redirect+"#"+v.Encode())
	}
	return redirect(w, withQuery(ar.redirect, v))
}

// redirectToLogin sends the browser to Config.LoginURL with next= the
// authorization request (as a GET, whatever the method was).
func (p *Provider) redirectToLogin(w core.Response, r core.Request, ps params) error {
	v := url.Values{}
	for _, k := range append(authorizeParams, "prompt") {
		if val, ok := ps[k]; ok {
			v.Set(k, val)
		}
	}
	next := r.Path() + "?" + v.Encode()
	return redirect(w, withQuery(p.cfg.LoginURL, url.Values{"next": {next}}))
}

// consent renders the consent page, with security headers that keep it
// out of frames (a framed consent page is clickjacking).
func (p *Provider) consent(w core.Response, r core.Request, ar *authzRequest, u core.User) error {
	token, err := p.cfg.CSRF.Token(r, w)
	if err != nil {
		return writeError(w, err)
	}
	page := ConsentPage{Application: ar.app.Name, ClientID: ar.app.ClientID, Username: u.GetUsername(),
		Action: r.Path(), CSRFToken: token}
	if page.Application == "" {
		page.Application = ar.app.ClientID
	}
	for _, s := range ar.scopes {
		page.Scopes = append(page.Scopes, ScopeDescription{Name: s, Description: p.cfg.Scopes[s]})
	}
	for _, k := range authorizeParams {
		v, ok := ar.ps[k]
		if k == "scope" {
			v, ok = strings.Join(ar.scopes, " "), true
		}
		if ok {
			page.Fields = append(page.Fields, Field{Name: k, Value: v})
		}
	}
	var buf bytes.Buffer
	if err := p.cfg.ConsentTemplate.Execute(&buf, page); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer") // the URL holds state and the PKCE challenge
	noStore(h)
	return w.Write(http.StatusOK, buf.Bytes())
}

// TokenEndpoint is RFC 6749's token endpoint (django-oauth-toolkit's
// TokenView; mount it at Paths.Token for POST): grant_type
// authorization_code (with PKCE), client_credentials and refresh_token;
// others, password included, are unsupported_grant_type. The client
// authenticates with exactly one of client_secret_basic (HTTP Basic, id
// and secret form-url-decoded, RFC 6749 section 2.3.1) and
// client_secret_post (client_id and client_secret in the body); a public
// client sends its client_id alone. Answers are JSON with
// Cache-Control: no-store; errors are RFC 6749 section 5.2's, a failed
// client authentication 401 invalid_client with WWW-Authenticate: Basic.
func (p *Provider) TokenEndpoint() core.Endpoint { return core.EndpointFunc(p.serveToken) }

func (p *Provider) serveToken(w core.Response, r core.Request) error {
	if r.Method() != http.MethodPost {
		w.Header().Set("Allow", "POST")
		return core.MethodNotAllowed(r.Method())
	}
	ps, _, err := p.readForm(r)
	if err != nil {
		return writeError(w, err)
	}
	grant := ps["grant_type"]
	switch grant {
	case GrantAuthorizationCode, GrantClientCredentials, GrantRefreshToken:
	case "":
		return writeError(w, invalidRequest("Missing grant_type parameter."))
	default:
		return writeError(w, oerr(ErrCodeUnsupportedGrantType, "Unsupported grant_type."))
	}
	ctx := r.Context()
	client, err := p.clientFromRequest(r, ps)
	if err != nil {
		return writeError(w, err)
	}
	var tok *OAuth2Token
	switch grant {
	case GrantAuthorizationCode:
		tok, err = p.ExchangeCode(ctx, client, ExchangeRequest{Code: ps["code"], RedirectURI: ps["redirect_uri"], CodeVerifier: ps["code_verifier"]})
	case GrantClientCredentials:
		tok, err = p.ClientCredentials(ctx, client, ps["scope"])
	case GrantRefreshToken:
		tok, err = p.Refresh(ctx, client, ps["refresh_token"], ps["scope"])
	}
	if err != nil {
		return writeError(w, err)
	}
	body, err := marshalToken(tok)
	return writeNoStoreJSON(w, http.StatusOK, body, err)
}

// clientFromRequest authenticates the client of a token, revocation or
// introspection request: exactly one method.
func (p *Provider) clientFromRequest(r core.Request, ps params) (*Application, error) {
	if len(r.HeaderValues("Authorization")) > 1 {
		return nil, invalidRequest("Duplicate Authorization header.")
	}
	id, secret, basic, err := parseBasic(r.Header("Authorization"))
	if err != nil {
		return nil, err
	}
	formID, hasFormID := ps["client_id"]
	formSecret, hasFormSecret := ps["client_secret"]
	if basic {
		if hasFormSecret {
			return nil, invalidRequest("The client used more than one authentication method.")
		}
		if hasFormID && formID != id {
			return nil, errInvalidClient()
		}
		return p.AuthenticateClient(r.Context(), id, secret)
	}
	if !hasFormID || formID == "" {
		return nil, errInvalidClient()
	}
	return p.AuthenticateClient(r.Context(), formID, formSecret)
}

// RevokeEndpoint is RFC 7009's revocation endpoint (django-oauth-toolkit's
// RevokeTokenView at /o/revoke_token): POST token (token_type_hint is
// optional and not needed) with client authentication as at the token
// endpoint; 200 with an empty body whether or not the token was known.
func (p *Provider) RevokeEndpoint() core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if r.Method() != http.MethodPost {
			w.Header().Set("Allow", "POST")
			return core.MethodNotAllowed(r.Method())
		}
		ps, _, err := p.readForm(r)
		if err != nil {
			return writeError(w, err)
		}
		client, err := p.clientFromRequest(r, ps)
		if err != nil {
			return writeError(w, err)
		}
		if ps["token"] == "" {
			return writeError(w, invalidRequest("Missing token parameter."))
		}
		ctx := r.Context()
		if p.cfg.Events != nil {
			ctx = core.EventContext(r) // the client's address in the event
		}
		if err := p.Revoke(ctx, client, ps["token"]); err != nil {
			return writeError(w, err)
		}
		noStore(w.Header())
		return w.Write(http.StatusOK, nil)
	})
}

// IntrospectEndpoint is RFC 7662's introspection endpoint
// (django-oauth-toolkit's IntrospectTokenView at /o/introspect): POST
// token, for an authenticated confidential client (a public client is
// 401 invalid_client). A client is told only of its own tokens, unless it
// is a resource server, registered with ScopeIntrospection among its
// Scopes, which is told of every client's (RFC 7662 section 4: the caller
// must be authorized for the token). A token that is unknown, expired,
// revoked, whose user is inactive, or that the caller may not see is
// exactly {"active": false}.
func (p *Provider) IntrospectEndpoint() core.Endpoint {
	return core.EndpointFunc(func(w core.Response, r core.Request) error {
		if r.Method() != http.MethodPost {
			w.Header().Set("Allow", "POST")
			return core.MethodNotAllowed(r.Method())
		}
		ps, _, err := p.readForm(r)
		if err != nil {
			return writeError(w, err)
		}
		client, err := p.clientFromRequest(r, ps)
		if err != nil {
			return writeError(w, err)
		}
		if client.ClientType != ClientConfidential {
			return writeError(w, errInvalidClient())
		}
		if _, ok := ps["token"]; !ok {
			return writeError(w, invalidRequest("Missing token parameter."))
		}
		info, err := p.Introspect(r.Context(), ps["token"])
		if err != nil {
			return writeError(w, err)
		}
		if info.Active && info.ClientID != client.ClientID && !slices.Contains(client.Scopes, ScopeIntrospection) {
			info = &Introspection{} // another client's token: not this caller's business
		}
		body, err := marshalIntrospection(info)
		return writeNoStoreJSON(w, http.StatusOK, body, err)
	})
}
