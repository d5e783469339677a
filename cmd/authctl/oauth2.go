package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/csrf"
	"github.com/reinhardt-go/auth/core/jwtauth"
	"github.com/reinhardt-go/auth/core/oauth2"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// dotGrantTypes maps django-oauth-toolkit's authorization_grant_type
// values (its positional argument) to the grants an application gets: DOT
// lets an authorization-code application refresh its tokens.
var dotGrantTypes = map[string][]string{
	"authorization-code": {oauth2.GrantAuthorizationCode, oauth2.GrantRefreshToken},
	"client-credentials": {oauth2.GrantClientCredentials},
	"implicit":           {oauth2.GrantImplicit},
}

// splitList splits a LIST argument on commas and white space (the
// showcase's comma-separated lists and DOT's space-separated redirect
// URIs), dropping empty items. A comma inside a redirect URI must be
// percent-encoded (%2C).
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// cmdCreateApplication is django-oauth-toolkit's createapplication. Two
// spellings are accepted:
//
//	createapplication --name N --client-type confidential|public --grant-types LIST --redirect-uris LIST [--skip-authorization] [--scopes LIST]
//	createapplication [--name N] [--client-id ID] [--client-secret S] [--redirect-uris "A B"] [--user ID] [--skip-authorization] [--algorithm RS256] CLIENT_TYPE AUTHORIZATION_GRANT_TYPE
//
// the second being DOT's (AUTHORIZATION_GRANT_TYPE authorization-code,
// client-credentials or implicit; DOT's password and openid-hybrid grants
// are not offered). It prints {"client_id","client_secret"} as JSON on
// standard output (the secret, generated unless --client-secret gave one,
// is shown this once: only its hash is stored) and DOT's "New application
// … created successfully." on standard error.
func cmdCreateApplication(ctx context.Context, e *env, db string, args []string) int {
	fs := flag.NewFlagSet("createapplication", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", "", "the application's name, shown on the consent page")
	clientType := fs.String("client-type", "", "confidential or public (or the first argument)")
	grants := fs.String("grant-types", "", "comma-separated: authorization_code, refresh_token, client_credentials, implicit")
	redirects := fs.String("redirect-uris", "", "redirect URIs, separated by commas or spaces")
	scopes := fs.String("scopes", "", "comma-separated scopes the application may ask for (default read,write)")
	skip := fs.Bool("skip-authorization", false, "no consent page for this application")
	clientID := fs.String("client-id", "", "the client id (default: generated)")
	secret := fs.String("client-secret", "", "the client secret (default: generated and printed once)")
	user := fs.String("user", "", "the id of the user the application belongs to")
	algorithm := fs.String("algorithm", "", "the id_token signing algorithm: RS256 (the only one the showcase signs with)")
	usage := func() int {
		fmt.Fprintln(e.stderr, "usage: authctl createapplication --name N --client-type confidential|public --grant-types LIST --redirect-uris LIST [--skip-authorization] [--scopes LIST]")
		fmt.Fprintln(e.stderr, "   or: authctl createapplication [--name N] [--client-id ID] [--client-secret S] [--redirect-uris \"A B\"] [--user ID] [--skip-authorization] [--algorithm RS256] CLIENT_TYPE AUTHORIZATION_GRANT_TYPE")
		return exitUsage
	}
	fs.Usage = func() { usage() }
	// DOT puts the positional arguments anywhere; the flag package stops
	// at the first one, so parse what follows them too.
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	in := oauth2.NewApplication{ClientID: *clientID, ClientSecret: *secret, Name: *name, SkipAuthorization: *skip,
		RedirectURIs: splitList(*redirects), ClientType: *clientType}
	switch len(positional) {
	case 0:
		in.GrantTypes = splitList(*grants)
	case 2:
		if *clientType != "" || *grants != "" {
			fmt.Fprintln(e.stderr, "authctl: give the client type and grant type as arguments or as --client-type and --grant-types, not both")
			return usage()
		}
		in.ClientType = positional[0]
		g, ok := dotGrantTypes[positional[1]]
		if !ok {
			return fail(e, "authorization grant type %q: want authorization-code, client-credentials or implicit", positional[1])
		}
		in.GrantTypes = g
	default:
		return usage()
	}
	if in.ClientType == "" || len(in.GrantTypes) == 0 {
		return usage()
	}
	if *scopes != "" {
		in.Scopes = splitList(*scopes)
	}
	if *algorithm != "" && *algorithm != string(jwtauth.RS256) {
		return fail(e, "algorithm %q: the id_tokens are signed with RS256", *algorithm)
	}
	s, ok := openStore(ctx, e, db, false)
	if !ok {
		return exitFail
	}
	defer s.Close()
	if *user != "" {
		u, err := s.UserByID(ctx, *user)
		if err != nil {
			return fail(e, "user: %v", err)
		}
		if u == nil {
			return fail(e, "user %q does not exist", *user)
		}
		in.UserID = *user
	}
	p, err := registrar(s)
	if err != nil {
		return fail(e, "%v", err)
	}
	creds, err := p.RegisterApplication(ctx, in)
	switch {
	case errors.Is(err, oauth2.ErrDuplicateClientID):
		return fail(e, "client id %q is taken", in.ClientID)
	case errors.Is(err, core.ErrInvalidInput):
		return fail(e, "%v", err)
	case err != nil:
		return fail(e, "create application: %v", err)
	}
	if *secret != "" {
		creds.ClientSecret = "" // the caller knows it; DOT does not print a given secret
	}
	shown := *name
	if shown == "" {
		shown = creds.ClientID
	}
	fmt.Fprintf(e.stderr, "New application %s created successfully.\n", shown)
	out, _ := json.Marshal(creds)
	fmt.Fprintln(e.stdout, string(out))
	return exitOK
}

// registrar is a provider over the database's OAuth2 store, for
// RegisterApplication only: its validation and secret hashing are the
// provider's. It signs nothing, so its key is a throwaway Ed25519 one
// (cheaper to make than RSA), and its issuer is never published.
func registrar(s *sqlstore.Store) (*oauth2.Provider, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	k, err := jwtauth.NewKey("authctl", jwtauth.EdDSA, priv)
	if err != nil {
		return nil, err
	}
	signer, err := jwtauth.NewWithKey(k)
	if err != nil {
		return nil, err
	}
	protector, err := csrf.New()
	if err != nil {
		return nil, err
	}
	return oauth2.NewProvider(oauth2.Config{Store: s.OAuth2(), Users: core.NewModelBackend(s), CSRF: protector,
		Issuer: "http://authctl.invalid", Signer: signer, Hashers: s.Hashers})
}
