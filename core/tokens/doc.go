// Package tokens is the lifecycle of simplejwt-style JSON Web Tokens: a
// blacklist, refresh-token rotation with reuse detection, "valid after"
// stamps for logging out everywhere, and simplejwt's token endpoints. The
// tokens themselves are jwtauth's.
//
// The reference's snippet, in Go:
//
//	blacklist := memory.NewBlacklist()        // InMemoryBlacklist
//	err := blacklist.Blacklist(ctx, "old_token", expiresAt, tokens.Logout)
//	ok, err := blacklist.IsBlacklisted(ctx, "old_token")
//
//	refreshStore := memory.NewRefreshStore()  // InMemoryRefreshStore
//	m := tokens.NewTokenRotationManager(blacklist, refreshStore)
//	j, err := jwtauth.New(secret, jwtauth.WithRevocation(m.Revocation()))
//	m.JWT, m.Users = j, backend
//	pair, err := m.IssuePair(ctx, user)       // a login
//	pair, err = m.Refresh(ctx, pair.Refresh)  // rotate_token
//
// # Stores
//
// [TokenBlacklist] keeps blacklisted jtis with a [BlacklistReason]
// (Logout, Compromised, ManualRevoke, Rotated), cleans up expired entries
// and reports [Stats]. [RefreshStore] records refresh tokens in families,
// spends each once atomically ([RefreshStore.Consume]), revokes families
// and keeps each user's "valid after" stamp. stores/memory and
// stores/sqlstore implement both (sqlstore in simplejwt's own
// token_blacklist tables, so a Django project sharing the database sees
// the same blacklist); stores/storetest is the conformance suite they
// pass.
//
// # Rotation and reuse
//
// [TokenRotationManager] works as simplejwt with ROTATE_REFRESH_TOKENS and
// BLACKLIST_AFTER_ROTATION, plus what simplejwt's token_family app adds:
// every login starts a family (the family_id claim, [FamilyClaim], in the
// refresh and the access tokens); a refresh spends the refresh token (of
// concurrent refreshes with one token exactly one wins), blacklists it
// (Rotated) and returns a new pair in the same family; a spent or
// blacklisted refresh token presented again revokes its whole family, so
// a stolen refresh token and the legitimate one cannot both live on.
// [TokenRotationManager.LogoutAll] sets the user's "valid after" stamp and
// revokes every family the user has.
//
// [TokenRotationManager.Revocation] is the jwtauth hook that enforces all
// of this on every verification, the verified-token cache's hits
// included: a revoked family, a blacklisted jti, a token from before the
// user's stamp. For a token with a family the stamp is compared with the
// family's creation time (microseconds); for one without (minted by
// simplejwt or jwtauth.GenerateToken) with its iat, which has whole
// seconds: iat <= stamp is refused, so a token minted in the same second
// as a logout everywhere never survives it. On the memory stores the hook
// costs four map lookups and no allocation; on sqlstore one query.
//
// # Endpoints
//
// [ObtainPairEndpoint], [RefreshEndpoint], [VerifyEndpoint] and
// [BlacklistEndpoint] are simplejwt's views, byte for byte: bodies (with
// simplejwt's key order: {"refresh","access"} from obtain,
// {"access","refresh"} from refresh), statuses, messages, DRF's field
// errors in field order. [LogoutAllEndpoint] ends every token of the
// authenticated user (204). Where this package differs from simplejwt 5.2:
//
//   - the obtain endpoint does not strip the password (Django's login form
//     does not either); a password of whitespace only is still "blank";
//   - blacklisting a refresh token revokes its family, so the access tokens
//     of that login stop working at once (simplejwt leaves them valid until
//     they expire);
//   - a refresh token of a revoked family is refused with "Token family is
//     blacklisted", as simplejwt's token_family app does;
//   - the refresh endpoint re-checks the user ("No active account found
//     for the given token."), as simplejwt 5.3 and later.
//
// simplejwt's token views answer 401 with `WWW-Authenticate: Bearer
// realm="api"` whatever the project's authenticators. The errors these
// endpoints return carry that challenge: they implement core.Challenger.
// core.WriteError is to honour it (an error implementing core.Challenger
// with a non-empty challenge overrides the engine's for a 401); until it
// does, the engine's challenge is used, which is the same when the JWT
// authenticator comes first (as in the showcase).
package tokens
