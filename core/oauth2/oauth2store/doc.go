// Package oauth2store is the storage contract of core/oauth2: the Store
// interface an OAuth2 provider keeps its applications, authorization codes
// and tokens behind, the records it keeps and the errors a store returns.
// It imports nothing beyond the standard library, so that a store
// implementation (stores/sqlstore, a Redis store) does not compile the
// provider; package oauth2 names the same types (oauth2.Store,
// oauth2.Application), as mfa names mfastore's.
//
// # What a store keeps
//
// Secrets are never stored in the clear: a client secret is kept as an
// encoded hash (Application.SecretHash), and an authorization code, an
// access token or a refresh token only as the SHA-256 of the opaque value
// the client holds, in lower-case hex (HashToken). A store looks records up
// by that hash and never sees the value itself.
//
// # Answers and failures
//
// Every method takes a context; a done context is a failure. "Not found",
// "expired", "revoked" and "already used" are answers (a false found, a
// CodeState or a RotateState), never errors. An error means the store
// failed (database down, timeout) and wraps core.ErrStoreUnavailable (the
// package github.com/reinhardt-go/auth/core; named here only in words so
// that this package stays standard-library only), so that the provider
// fails closed: it answers 503 and issues nothing. The exceptions are the
// sentinel errors of this package, which are answers too.
//
// # Single use
//
// ConsumeCode and RotateRefreshToken are compare-and-set steps: of any
// number of concurrent calls with one code (or one refresh token), across
// processes for a shared store, exactly one succeeds. The conformance suite
// stores/storetest/oauth2test checks every sentence of the contract,
// including these races; every implementation runs it.
package oauth2store
