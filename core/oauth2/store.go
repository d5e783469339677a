package oauth2

import "github.com/reinhardt-go/auth/core/oauth2/oauth2store"

// The store contract lives in package oauth2store, which imports only the
// standard library, so that a store implementation does not compile the
// provider; these names are the same types and values.
type (
	// Store keeps applications, codes and tokens: see oauth2store.Store.
	Store = oauth2store.Store
	// Application is a registered client as a Store keeps it: see
	// oauth2store.Application. OAuth2Application is the same type under
	// the reference's name.
	Application = oauth2store.Application
	// OAuth2Application is the reference's name for Application.
	OAuth2Application = oauth2store.Application
	// StoredCode is an authorization code as a Store keeps it.
	StoredCode = oauth2store.Code
	// StoredToken is an access or refresh token as a Store keeps it.
	StoredToken = oauth2store.Token
)

// Client types, grant types and the store's answers: see oauth2store.
const (
	ClientConfidential     = oauth2store.ClientConfidential
	ClientPublic           = oauth2store.ClientPublic
	GrantAuthorizationCode = oauth2store.GrantAuthorizationCode
	GrantClientCredentials = oauth2store.GrantClientCredentials
	GrantRefreshToken      = oauth2store.GrantRefreshToken
	GrantImplicit          = oauth2store.GrantImplicit
)

// Errors of the stores.
var (
	// ErrDuplicateClientID: the client id is taken.
	ErrDuplicateClientID = oauth2store.ErrDuplicateClientID
)
