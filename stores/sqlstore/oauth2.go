package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/reinhardt-go/auth/core/oauth2/oauth2store"
)

// OAuth2Store is core/oauth2's Store in the database, in the tables
// reinhardt_oauth2_application, reinhardt_oauth2_code and
// reinhardt_oauth2_token (migration 0007):
//
//	p, err := oauth2.NewProvider(oauth2.Config{Store: store.OAuth2(), …})
//
// # Why not django-oauth-toolkit's tables
//
// django-oauth-toolkit keeps its tokens and grants in the clear
// (oauth2_provider_accesstoken.token, oauth2_provider_refreshtoken.token,
// oauth2_provider_grant.code, unique columns it looks the value up by),
// gives an application one authorization_grant_type and no scopes of its
// own, and has no refresh-family or code-reuse state. A store that keeps
// only SHA-256 hashes cannot share those rows: DOT would look up a token
// by a value the row does not hold, and the columns this contract needs
// have no place there. So the tables are this package's own, named
// reinhardt_oauth2_*.
//
// # Single use
//
// ConsumeCode and RotateRefreshToken start with one conditional UPDATE …
// RETURNING (used = FALSE, spent = FALSE) whose affected row decides which
// of concurrent calls wins; the losers' statement waits for the winner's
// row lock (PostgreSQL) or the single writer (SQLite's BEGIN IMMEDIATE)
// and then matches nothing. MariaDB/MySQL have no UPDATE … RETURNING:
// there the step is a locking read (SELECT … FOR UPDATE) of the row and
// the UPDATE of that row, in a read committed transaction, so a racer's
// read waits for the winner's commit and then finds the row changed. What the answer entails (revoking a reused
// code's tokens, revoking a family, storing the rotated tokens) follows in
// the same transaction. SaveTokens locks the row of the code its tokens
// came from (SELECT … FOR UPDATE on PostgreSQL and MariaDB/MySQL) before it checks that the
// code was not reused and inserts, so a reuse cannot slip in between.
// On PostgreSQL and MariaDB/MySQL these transactions are read committed whatever the
// server's default: under repeatable read a racer that waited for the
// winner's row lock would fail with a serialization error instead of
// seeing the row the winner committed.
//
// Lists are stored as JSON arrays. A client id, or any text, PostgreSQL
// cannot store (a NUL byte, invalid UTF-8) is looked up as not found and
// refused on insert with ErrUnstorableText.
type OAuth2Store struct {
	s *Store
	q oauth2Queries
	// opts: read committed on PostgreSQL whatever the server's default,
	// so that a racer whose conditional UPDATE waited for the winner's
	// row lock re-reads the row (and answers "reused") rather than failing
	// with a serialization error under repeatable read.
	opts *sql.TxOptions
}

// tx runs f in a transaction with the store's isolation (see opts).
func (o *OAuth2Store) tx(ctx context.Context, op string, f func(*sql.Tx) error) error {
	return o.s.txWith(ctx, op, o.opts, f)
}

var _ oauth2store.Store = (*OAuth2Store)(nil)

type oauth2Queries struct {
	insertApp, getApp, deleteApp, deleteAppCodes, deleteAppTokens string
	insertCode, useCode, reuseCode, revokeCodeTokens, lockCode    string
	insertToken, getToken, spend, findRefresh, revokeFamilyAccess string
	revokeFamily, revoke, cleanCodes, cleanTokens                 string
	// On MariaDB/MySQL, which have no UPDATE … RETURNING, useCode,
	// reuseCode, spend and revoke are locking reads (SELECT … FOR
	// UPDATE) of the row the UPDATE would change, and these the UPDATE of
	// that row by its hash; "" on the other dialects.
	useCodeUpd, reuseCodeUpd, spendUpd, revokeUpd string
}

const (
	oaApps   = `"reinhardt_oauth2_application"`
	oaCodes  = `"reinhardt_oauth2_code"`
	oaTokens = `"reinhardt_oauth2_token"`

	oaAppColumns   = `"client_id", "secret_hash", "client_type", "name", "redirect_uris", "grant_types", "scopes", "skip_authorization", "user_id", "created_at"`
	oaCodeColumns  = `"hash", "client_id", "redirect_uri", "user_id", "scopes", "code_challenge", "code_challenge_method", "nonce", "auth_time", "expires_at"`
	oaTokenColumns = `"hash", "kind", "client_id", "user_id", "scopes", "expires_at", "family_id", "code_hash", "auth_time", "issued_at"`
)

// OAuth2 returns the store's OAuth2Store. The store must be migrated.
func (s *Store) OAuth2() *OAuth2Store {
	forUpdate := ""
	if s.dialect != SQLite {
		forUpdate = " FOR UPDATE"
	}
	q := oauth2Queries{
		insertApp:       `INSERT INTO ` + oaApps + ` (` + oaAppColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		getApp:          `SELECT ` + oaAppColumns + ` FROM ` + oaApps + ` WHERE "client_id" = ?`,
		deleteApp:       `DELETE FROM ` + oaApps + ` WHERE "client_id" = ?`,
		deleteAppCodes:  `DELETE FROM ` + oaCodes + ` WHERE "client_id" = ?`,
		deleteAppTokens: `DELETE FROM ` + oaTokens + ` WHERE "client_id" = ?`,

		insertCode: `INSERT INTO ` + oaCodes + ` (` + oaCodeColumns + `, "used", "reused") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, FALSE)`,
		// The race is decided here: of concurrent calls one matches.
		useCode: `UPDATE ` + oaCodes + ` SET "used" = TRUE WHERE "hash" = ? AND "expires_at" > ? AND "used" = FALSE RETURNING ` + oaCodeColumns,
		// A used code is recognised for UsedCodeRetention after it expires:
		// the time bound is now less the retention.
		reuseCode:        `UPDATE ` + oaCodes + ` SET "reused" = TRUE WHERE "hash" = ? AND "expires_at" > ? AND "used" = TRUE RETURNING ` + oaCodeColumns,
		revokeCodeTokens: `UPDATE ` + oaTokens + ` SET "revoked" = TRUE WHERE "code_hash" = ? AND "revoked" = FALSE`,
		lockCode:         `SELECT "reused" FROM ` + oaCodes + ` WHERE "hash" = ?` + forUpdate,

		insertToken: `INSERT INTO ` + oaTokens + ` (` + oaTokenColumns + `, "revoked", "spent") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, FALSE)`,
		getToken:    `SELECT ` + oaTokenColumns + ` FROM ` + oaTokens + ` WHERE "hash" = ? AND "revoked" = FALSE AND "spent" = FALSE AND "expires_at" > ?`,
		spend: `UPDATE ` + oaTokens + ` SET "spent" = TRUE WHERE "hash" = ? AND "kind" = 'refresh' AND "client_id" = ? AND "expires_at" > ?
AND "spent" = FALSE AND "revoked" = FALSE RETURNING ` + oaTokenColumns,
		findRefresh:        `SELECT ` + oaTokenColumns + `, "spent" FROM ` + oaTokens + ` WHERE "hash" = ? AND "kind" = 'refresh' AND "client_id" = ? AND "expires_at" > ?` + forUpdate,
		revokeFamilyAccess: `UPDATE ` + oaTokens + ` SET "revoked" = TRUE WHERE "family_id" = ? AND "kind" = 'access' AND "revoked" = FALSE`,
		revokeFamily:       `UPDATE ` + oaTokens + ` SET "revoked" = TRUE WHERE "family_id" = ? AND "revoked" = FALSE`,
		revoke: `UPDATE ` + oaTokens + ` SET "revoked" = TRUE WHERE "hash" = ? AND "client_id" = ? AND "revoked" = FALSE AND "spent" = FALSE
RETURNING "kind", "family_id"`,
		// Unused codes by their expiry, used ones by their expiry plus
		// UsedCodeRetention (the second argument is now less it); the
		// first bound uses the expires_at index.
		cleanCodes:  `DELETE FROM ` + oaCodes + ` WHERE "expires_at" <= ? AND ("used" = FALSE OR "expires_at" <= ?)`,
		cleanTokens: `DELETE FROM ` + oaTokens + ` WHERE "expires_at" <= ?`,
	}
	if s.dialect == MySQL {
		q.useCode = `SELECT ` + oaCodeColumns + ` FROM ` + oaCodes + ` WHERE "hash" = ? AND "expires_at" > ? AND "used" = FALSE FOR UPDATE`
		q.useCodeUpd = `UPDATE ` + oaCodes + ` SET "used" = TRUE WHERE "hash" = ?`
		q.reuseCode = `SELECT ` + oaCodeColumns + ` FROM ` + oaCodes + ` WHERE "hash" = ? AND "expires_at" > ? AND "used" = TRUE FOR UPDATE`
		q.reuseCodeUpd = `UPDATE ` + oaCodes + ` SET "reused" = TRUE WHERE "hash" = ?`
		q.spend = `SELECT ` + oaTokenColumns + ` FROM ` + oaTokens + ` WHERE "hash" = ? AND "kind" = 'refresh' AND "client_id" = ? AND "expires_at" > ?
AND "spent" = FALSE AND "revoked" = FALSE FOR UPDATE`
		q.spendUpd = `UPDATE ` + oaTokens + ` SET "spent" = TRUE WHERE "hash" = ?`
		q.revoke = `SELECT "kind", "family_id" FROM ` + oaTokens + ` WHERE "hash" = ? AND "client_id" = ? AND "revoked" = FALSE AND "spent" = FALSE FOR UPDATE`
		q.revokeUpd = `UPDATE ` + oaTokens + ` SET "revoked" = TRUE WHERE "hash" = ?`
	}
	for _, p := range []*string{&q.insertApp, &q.getApp, &q.deleteApp, &q.deleteAppCodes, &q.deleteAppTokens,
		&q.insertCode, &q.useCode, &q.reuseCode, &q.revokeCodeTokens, &q.lockCode,
		&q.insertToken, &q.getToken, &q.spend, &q.findRefresh, &q.revokeFamilyAccess,
		&q.revokeFamily, &q.revoke, &q.cleanCodes, &q.cleanTokens} {
		*p = rebind(s.dialect, *p)
	}
	o := &OAuth2Store{s: s, q: q}
	if s.dialect != SQLite {
		o.opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return o
}

// claim runs one of the statements that decide a race (useCode,
// reuseCode, spend, revoke) and scans the row it changed: an UPDATE …
// RETURNING, or on MariaDB/MySQL the locking read of the row and then
// update, its UPDATE by the row's hash (args[0]). A racer's locking read
// waits for the winner's row lock and then, read committed, sees the row
// the winner committed, which no longer matches. No row is
// sql.ErrNoRows, from scan.
func (o *OAuth2Store) claim(ctx context.Context, tx *sql.Tx, query, update string, scan func(scanner) error, args ...any) error {
	if err := scan(tx.QueryRowContext(ctx, query, args...)); err != nil || update == "" {
		return err
	}
	_, err := tx.ExecContext(ctx, update, args[0])
	return err
}

// jsonList encodes a list column; nil is "[]".
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

func parseList(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, errors.New("sqlstore: oauth2: a list column is not a JSON array of strings")
	}
	return v, nil
}

// optTime is the value of a nullable time column: NULL for the zero time.
func (o *OAuth2Store) optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return o.s.dbTime(t)
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

func scanCode(r scanner, extra ...any) (oauth2store.Code, error) {
	var c oauth2store.Code
	var scopes string
	var auth, expires nullTime
	dest := append([]any{&c.Hash, &c.ClientID, &c.RedirectURI, &c.UserID, &scopes, &c.CodeChallenge, &c.CodeChallengeMethod,
		&c.Nonce, &auth, &expires}, extra...)
	if err := r.Scan(dest...); err != nil {
		return oauth2store.Code{}, err
	}
	var err error
	c.Scopes, err = parseList(scopes)
	c.AuthTime, c.ExpiresAt = auth.Time, expires.Time
	return c, err
}

func scanToken(r scanner, extra ...any) (oauth2store.Token, error) {
	var t oauth2store.Token
	var scopes string
	var expires, auth, issued nullTime
	dest := append([]any{&t.Hash, &t.Kind, &t.ClientID, &t.UserID, &scopes, &expires, &t.FamilyID, &t.CodeHash, &auth, &issued}, extra...)
	if err := r.Scan(dest...); err != nil {
		return oauth2store.Token{}, err
	}
	var err error
	t.Scopes, err = parseList(scopes)
	t.ExpiresAt, t.AuthTime, t.IssuedAt = expires.Time, auth.Time, issued.Time
	return t, err
}

// CreateApplication implements oauth2store.Store.
func (o *OAuth2Store) CreateApplication(ctx context.Context, app oauth2store.Application) error {
	texts := append([]string{app.ClientID, app.SecretHash, app.ClientType, app.Name, app.UserID}, app.RedirectURIs...)
	texts = append(append(texts, app.GrantTypes...), app.Scopes...)
	if !o.s.storable(texts...) {
		return ErrUnstorableText
	}
	return o.tx(ctx, "oauth2: create application", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, o.q.insertApp, app.ClientID, app.SecretHash, app.ClientType, app.Name,
			jsonList(app.RedirectURIs), jsonList(app.GrantTypes), jsonList(app.Scopes), app.SkipAuthorization, app.UserID,
			o.s.dbTime(app.CreatedAt))
		if kind, _ := constraint(err); kind == "unique" {
			return answer{oauth2store.ErrDuplicateClientID}
		}
		return err
	})
}

// Application implements oauth2store.Store.
func (o *OAuth2Store) Application(ctx context.Context, clientID string) (oauth2store.Application, bool, error) {
	if err := ctx.Err(); err != nil {
		return oauth2store.Application{}, false, o.s.fail(ctx, "oauth2: application", err)
	}
	if !o.s.storable(clientID) {
		return oauth2store.Application{}, false, nil
	}
	st, err := o.s.prepared(ctx, o.s.rdb, o.q.getApp)
	if err != nil {
		return oauth2store.Application{}, false, o.s.fail(ctx, "oauth2: application", err)
	}
	var a oauth2store.Application
	var uris, grants, scopes string
	var created nullTime
	err = st.QueryRowContext(ctx, clientID).Scan(&a.ClientID, &a.SecretHash, &a.ClientType, &a.Name, &uris, &grants, &scopes,
		&a.SkipAuthorization, &a.UserID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return oauth2store.Application{}, false, nil
	}
	if err == nil {
		a.CreatedAt = created.Time
		a.RedirectURIs, err = parseList(uris)
		if err == nil {
			a.GrantTypes, err = parseList(grants)
		}
		if err == nil {
			a.Scopes, err = parseList(scopes)
		}
	}
	if err != nil {
		return oauth2store.Application{}, false, o.s.fail(ctx, "oauth2: application", err)
	}
	return a, true, nil
}

// DeleteApplication implements oauth2store.Store: the client, its codes
// and its tokens, in one transaction.
func (o *OAuth2Store) DeleteApplication(ctx context.Context, clientID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, o.s.fail(ctx, "oauth2: delete application", err)
	}
	if !o.s.storable(clientID) {
		return false, nil
	}
	found := false
	err := o.tx(ctx, "oauth2: delete application", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, o.q.deleteApp, clientID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		found = true
		if _, err := tx.ExecContext(ctx, o.q.deleteAppCodes, clientID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, o.q.deleteAppTokens, clientID)
		return err
	})
	return found && err == nil, err
}

// SaveCode implements oauth2store.Store.
func (o *OAuth2Store) SaveCode(ctx context.Context, c oauth2store.Code) error {
	if !o.s.storable(append([]string{c.ClientID, c.RedirectURI, c.UserID, c.CodeChallenge, c.CodeChallengeMethod, c.Nonce}, c.Scopes...)...) {
		return ErrUnstorableText
	}
	return o.tx(ctx, "oauth2: save code", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, o.q.insertCode, c.Hash, c.ClientID, c.RedirectURI, c.UserID, jsonList(c.Scopes),
			c.CodeChallenge, c.CodeChallengeMethod, c.Nonce, o.optTime(c.AuthTime), o.s.dbTime(c.ExpiresAt))
		if kind, _ := constraint(err); kind == "unique" {
			return answer{oauth2store.ErrDuplicateHash}
		}
		return err
	})
}

// ConsumeCode implements oauth2store.Store: the conditional UPDATE of
// "used" decides the race; a used code's second UPDATE marks it reused and
// revokes its tokens in the same transaction. The first requires
// expires_at after now, the second after now less
// oauth2store.UsedCodeRetention.
func (o *OAuth2Store) ConsumeCode(ctx context.Context, hash string, now time.Time) (oauth2store.Code, oauth2store.CodeState, error) {
	var c oauth2store.Code
	state := oauth2store.CodeUnknown
	cut, reuseCut := o.s.dbTime(now), o.s.dbTime(now.Add(-oauth2store.UsedCodeRetention))
	err := o.tx(ctx, "oauth2: consume code", func(tx *sql.Tx) error {
		state = oauth2store.CodeUnknown
		var err error
		scan := func(r scanner) (err error) { c, err = scanCode(r); return err }
		err = o.claim(ctx, tx, o.q.useCode, o.q.useCodeUpd, scan, hash, cut)
		if err == nil {
			state = oauth2store.CodeValid
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = o.claim(ctx, tx, o.q.reuseCode, o.q.reuseCodeUpd, scan, hash, reuseCut)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		state = oauth2store.CodeReused
		_, err = tx.ExecContext(ctx, o.q.revokeCodeTokens, hash)
		return err
	})
	if err != nil || state == oauth2store.CodeUnknown {
		return oauth2store.Code{}, oauth2store.CodeUnknown, err
	}
	return c, state, nil
}

// insertTokens inserts ts in tx; a hash already stored is the answer
// ErrDuplicateHash (the caller's transaction is rolled back).
func (o *OAuth2Store) insertTokens(ctx context.Context, tx *sql.Tx, ts []oauth2store.Token) error {
	for _, t := range ts {
		if !o.s.storable(append([]string{t.Kind, t.ClientID, t.UserID, t.FamilyID, t.CodeHash}, t.Scopes...)...) {
			return answer{ErrUnstorableText}
		}
		_, err := tx.ExecContext(ctx, o.q.insertToken, t.Hash, t.Kind, t.ClientID, t.UserID, jsonList(t.Scopes),
			o.s.dbTime(t.ExpiresAt), t.FamilyID, t.CodeHash, o.optTime(t.AuthTime), o.s.dbTime(t.IssuedAt))
		if kind, _ := constraint(err); kind == "unique" {
			return answer{oauth2store.ErrDuplicateHash}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// SaveTokens implements oauth2store.Store: it locks the rows of the codes
// the tokens came from, stores none when one of them was reused (the
// answer is then ErrCodeReused), and
// inserts them all in one transaction.
func (o *OAuth2Store) SaveTokens(ctx context.Context, tokens ...oauth2store.Token) error {
	return o.tx(ctx, "oauth2: save tokens", func(tx *sql.Tx) error {
		checked := map[string]bool{}
		for _, t := range tokens {
			if t.CodeHash == "" || checked[t.CodeHash] {
				continue
			}
			checked[t.CodeHash] = true
			var reused bool
			err := tx.QueryRowContext(ctx, o.q.lockCode, t.CodeHash).Scan(&reused)
			if errors.Is(err, sql.ErrNoRows) {
				continue // removed by CleanupExpired: nothing to race with
			}
			if err != nil {
				return err
			}
			if reused {
				return answer{oauth2store.ErrCodeReused} // revoked before they existed: store none
			}
		}
		return o.insertTokens(ctx, tx, tokens)
	})
}

// Token implements oauth2store.Store.
func (o *OAuth2Store) Token(ctx context.Context, hash string, now time.Time) (oauth2store.Token, bool, error) {
	if err := ctx.Err(); err != nil {
		return oauth2store.Token{}, false, o.s.fail(ctx, "oauth2: token", err)
	}
	st, err := o.s.prepared(ctx, o.s.rdb, o.q.getToken)
	if err != nil {
		return oauth2store.Token{}, false, o.s.fail(ctx, "oauth2: token", err)
	}
	t, err := scanToken(st.QueryRowContext(ctx, hash, o.s.dbTime(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return oauth2store.Token{}, false, nil
	}
	if err != nil {
		return oauth2store.Token{}, false, o.s.fail(ctx, "oauth2: token", err)
	}
	return t, true, nil
}

// RotateRefreshToken implements oauth2store.Store: the conditional UPDATE
// of "spent" decides the race; the winner revokes its family's access
// tokens and stores next, a spent token revokes its family, in the same
// transaction.
func (o *OAuth2Store) RotateRefreshToken(ctx context.Context, hash, clientID string, now time.Time, next ...oauth2store.Token) (oauth2store.Token, oauth2store.RotateState, error) {
	if err := ctx.Err(); err != nil {
		return oauth2store.Token{}, oauth2store.RotateUnknown, o.s.fail(ctx, "oauth2: rotate", err)
	}
	if !o.s.storable(clientID) {
		return oauth2store.Token{}, oauth2store.RotateUnknown, nil
	}
	var old oauth2store.Token
	state := oauth2store.RotateUnknown
	cut := o.s.dbTime(now)
	err := o.tx(ctx, "oauth2: rotate", func(tx *sql.Tx) error {
		state = oauth2store.RotateUnknown
		var err error
		err = o.claim(ctx, tx, o.q.spend, o.q.spendUpd, func(r scanner) (err error) { old, err = scanToken(r); return err }, hash, clientID, cut)
		if err == nil {
			if old.FamilyID != "" {
				if _, err := tx.ExecContext(ctx, o.q.revokeFamilyAccess, old.FamilyID); err != nil {
					return err
				}
			}
			if err := o.insertTokens(ctx, tx, next); err != nil {
				return err
			}
			state = oauth2store.RotateOK
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var spent bool
		old, err = scanToken(tx.QueryRowContext(ctx, o.q.findRefresh, hash, clientID, cut), &spent)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !spent) {
			return nil // unknown, or revoked without being spent
		}
		if err != nil {
			return err
		}
		state = oauth2store.RotateReused
		if old.FamilyID != "" {
			_, err = tx.ExecContext(ctx, o.q.revokeFamily, old.FamilyID)
		}
		return err
	})
	if err != nil || state == oauth2store.RotateUnknown {
		return oauth2store.Token{}, oauth2store.RotateUnknown, err
	}
	return old, state, nil
}

// RevokeToken implements oauth2store.Store.
func (o *OAuth2Store) RevokeToken(ctx context.Context, hash, clientID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, o.s.fail(ctx, "oauth2: revoke", err)
	}
	if !o.s.storable(clientID) {
		return false, nil
	}
	done := false
	err := o.tx(ctx, "oauth2: revoke", func(tx *sql.Tx) error {
		var kind, family string
		err := o.claim(ctx, tx, o.q.revoke, o.q.revokeUpd, func(r scanner) error { return r.Scan(&kind, &family) }, hash, clientID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		done = true
		if kind == oauth2store.KindRefresh && family != "" {
			_, err = tx.ExecContext(ctx, o.q.revokeFamily, family)
		}
		return err
	})
	return done && err == nil, err
}

// CleanupExpired implements oauth2store.Store: unused codes and tokens
// whose expires_at is not after now go, and used codes whose expires_at is
// not after now less oauth2store.UsedCodeRetention, by the expires_at
// indexes.
func (o *OAuth2Store) CleanupExpired(ctx context.Context, now time.Time) (int, error) {
	total := 0
	cut, usedCut := o.s.dbTime(now), o.s.dbTime(now.Add(-oauth2store.UsedCodeRetention))
	err := o.tx(ctx, "oauth2: cleanup", func(tx *sql.Tx) error {
		total = 0
		for _, q := range []struct {
			query string
			args  []any
		}{{o.q.cleanCodes, []any{cut, usedCut}}, {o.q.cleanTokens, []any{cut}}} {
			res, err := tx.ExecContext(ctx, q.query, q.args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
