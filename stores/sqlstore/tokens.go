package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/reinhardt-go/auth/core/tokens"
)

// TokenStore keeps the token lifecycle of core/tokens in the database: it
// is both the tokens.TokenBlacklist and the tokens.RefreshStore of a
// tokens.TokenRotationManager, and a tokens.StateReader, so that the
// revocation check every request makes is one query:
//
//	ts := store.Tokens()
//	m := tokens.NewTokenRotationManager(ts, ts)
//
// # Tables
//
// Refresh tokens and blacklist entries live in simplejwt's own tables,
// token_blacklist_outstandingtoken and token_blacklist_blacklistedtoken, as
// djangorestframework-simplejwt 5.2's migrations make them (Migrate records
// those migrations, so a Django project with
// rest_framework_simplejwt.token_blacklist installed sees a database
// migrated here as fully migrated; one where Django made them is adopted).
// Django's admin lists the tokens, simplejwt refuses the blacklisted ones
// (a revoked family's tokens are all blacklisted there too), and Django's
// flushexpiredtokens cleans up both programs' rows. What simplejwt lacks is
// in this package's tables: reinhardt_refresh_family (families, their
// creation and revocation), reinhardt_token_state (per outstanding token:
// its family, when it was spent, why it was blacklisted) and
// reinhardt_user_valid_after (the "valid after" stamps).
//
// The token column: simplejwt stores the whole encoded token, which is
// what Django's admin shows. A stored refresh token would be a credential
// to whoever reads the database, so this store keeps the token without
// its signature ("header.payload."): the admin still shows every claim,
// nothing that reads the table can use it, and simplejwt, which looks
// tokens up by jti only, works the same. A jti blacklisted without its
// token (TokenBlacklist.Blacklist) has an empty token column. user_id is
// set when the token's user_id names a row of auth_user, NULL otherwise.
//
// Spending a refresh token is one conditional UPDATE (consumed_at IS NULL
// and the family live), whose affected-row count decides which of
// concurrent refreshes wins.
type TokenStore struct {
	s *Store
	q *tokenSQL
}

// Tokens returns the store's TokenStore. Give the same value to
// tokens.NewTokenRotationManager as both stores.
func (s *Store) Tokens() *TokenStore { return &TokenStore{s: s, q: tokenQueries(s.dialect)} }

// Interface checks.
var (
	_ tokens.TokenBlacklist = (*TokenStore)(nil)
	_ tokens.RefreshStore   = (*TokenStore)(nil)
	_ tokens.StateReader    = (*TokenStore)(nil)
)

const (
	tokOutstanding = `"token_blacklist_outstandingtoken"`
	tokBlacklisted = `"token_blacklist_blacklistedtoken"`
	tokFamilies    = `"reinhardt_refresh_family"`
	tokState       = `"reinhardt_token_state"`
	tokValidAfter  = `"reinhardt_user_valid_after"`

	tokFamilyColumns = `"id", "user_id", "created_at", "expires_at", "revoked_at", "revoke_reason"`
)

// tokenSQL holds the token statements of a dialect, with its placeholders.
type tokenSQL struct {
	blOutstanding, blInsert, blReason, isBlacklisted string
	cleanBlacklisted, cleanState, cleanOutstanding   string
	cleanFamilies, stats                             string
	issued, familyUser, upsertFamily                 string
	issueOutstanding, issueState                     string
	consume, consumption, family                     string
	revokeFamily, blacklistFamily, reasonFamily      string
	revokeUser, blacklistUser, reasonUser            string
	setValidAfter, validAfter, tokenState            string
	// MariaDB/MySQL only: the token ids blacklistFamily and
	// blacklistUser would blacklist, and the INSERT of one (see
	// mysqlTokenSQL).
	familyTokens, userTokens, blacklistID string
}

var (
	tokenSQLOnce [3]sync.Once
	tokenSQLs    [3]*tokenSQL
)

func tokenQueries(d Dialect) *tokenSQL {
	i := 0
	switch d {
	case Postgres:
		i = 1
	case MySQL:
		i = 2
	}
	tokenSQLOnce[i].Do(func() { tokenSQLs[i] = newTokenSQL(d) })
	return tokenSQLs[i]
}

func newTokenSQL(d Dialect) *tokenSQL {
	q := &tokenSQL{
		blOutstanding: `INSERT INTO ` + tokOutstanding + ` ("token", "created_at", "expires_at", "user_id", "jti") VALUES ('', ?, ?, NULL, ?) ON CONFLICT ("jti") DO NOTHING`,
		blInsert:      `INSERT INTO ` + tokBlacklisted + ` ("blacklisted_at", "token_id") SELECT ?, "id" FROM ` + tokOutstanding + ` WHERE "jti" = ? ON CONFLICT ("token_id") DO NOTHING`,
		blReason: `INSERT INTO ` + tokState + ` ("token_id", "reason") SELECT "id", ? FROM ` + tokOutstanding + ` WHERE "jti" = ?
ON CONFLICT ("token_id") DO UPDATE SET "reason" = EXCLUDED."reason"`,
		isBlacklisted: `SELECT EXISTS (SELECT 1 FROM ` + tokBlacklisted + ` b JOIN ` + tokOutstanding + ` o ON o."id" = b."token_id" WHERE o."jti" = ?)`,

		cleanBlacklisted: `DELETE FROM ` + tokBlacklisted + ` WHERE "token_id" IN (SELECT "id" FROM ` + tokOutstanding + ` WHERE "expires_at" <= ?)`,
		cleanState:       `DELETE FROM ` + tokState + ` WHERE "token_id" IN (SELECT "id" FROM ` + tokOutstanding + ` WHERE "expires_at" <= ?)`,
		cleanOutstanding: `DELETE FROM ` + tokOutstanding + ` WHERE "expires_at" <= ?`,
		cleanFamilies:    `DELETE FROM ` + tokFamilies + ` WHERE "expires_at" <= ? AND NOT EXISTS (SELECT 1 FROM ` + tokState + ` s WHERE s."family_id" = ` + tokFamilies + `."id")`,
		stats: `SELECT COALESCE(s."reason", ''), COUNT(*), MIN(b."blacklisted_at"), MAX(b."blacklisted_at")
FROM ` + tokBlacklisted + ` b LEFT JOIN ` + tokState + ` s ON s."token_id" = b."token_id"
GROUP BY COALESCE(s."reason", '')`,

		issued:     `SELECT s."family_id" FROM ` + tokOutstanding + ` o JOIN ` + tokState + ` s ON s."token_id" = o."id" WHERE o."jti" = ? AND s."family_id" IS NOT NULL`,
		familyUser: `SELECT "user_id" FROM ` + tokFamilies + ` WHERE "id" = ?`,
		upsertFamily: `INSERT INTO ` + tokFamilies + ` ("id", "user_id", "created_at", "expires_at") VALUES (?, ?, ?, ?)
ON CONFLICT ("id") DO UPDATE SET "expires_at" = EXCLUDED."expires_at" WHERE EXCLUDED."expires_at" > ` + tokFamilies + `."expires_at"`,
		issueOutstanding: `INSERT INTO ` + tokOutstanding + ` ("token", "created_at", "expires_at", "user_id", "jti")
VALUES (?, ?, ?, (SELECT "id" FROM "auth_user" WHERE "id" = ?), ?) ON CONFLICT ("jti") DO NOTHING`,
		issueState: `INSERT INTO ` + tokState + ` ("token_id", "family_id") SELECT "id", ? FROM ` + tokOutstanding + ` WHERE "jti" = ?
ON CONFLICT ("token_id") DO UPDATE SET "family_id" = EXCLUDED."family_id" WHERE ` + tokState + `."family_id" IS NULL`,

		// The atomic step: one conditional UPDATE; its affected-row count
		// says whether this call spent the token.
		consume: `UPDATE ` + tokState + ` SET "consumed_at" = ?
WHERE "token_id" = (SELECT "id" FROM ` + tokOutstanding + ` WHERE "jti" = ?)
AND "consumed_at" IS NULL
AND "family_id" IN (SELECT "id" FROM ` + tokFamilies + ` WHERE "revoked_at" IS NULL)`,
		consumption: `SELECT s."consumed_at" IS NOT NULL, f."id", f."user_id", f."created_at", f."expires_at", f."revoked_at", f."revoke_reason"
FROM ` + tokOutstanding + ` o
JOIN ` + tokState + ` s ON s."token_id" = o."id"
JOIN ` + tokFamilies + ` f ON f."id" = s."family_id"
WHERE o."jti" = ?`,
		family: `SELECT ` + tokFamilyColumns + ` FROM ` + tokFamilies + ` WHERE "id" = ?`,

		revokeFamily:    `UPDATE ` + tokFamilies + ` SET "revoked_at" = ?, "revoke_reason" = ? WHERE "id" = ? AND "revoked_at" IS NULL`,
		blacklistFamily: `INSERT INTO ` + tokBlacklisted + ` ("blacklisted_at", "token_id") SELECT ?, s."token_id" FROM ` + tokState + ` s WHERE s."family_id" = ? ON CONFLICT ("token_id") DO NOTHING`,
		// The reason goes to the rows this revocation blacklisted (those
		// with its blacklisted_at), not to rows simplejwt blacklisted.
		reasonFamily: `UPDATE ` + tokState + ` SET "reason" = ? WHERE "family_id" = ? AND "reason" IS NULL
AND "token_id" IN (SELECT "token_id" FROM ` + tokBlacklisted + ` WHERE "blacklisted_at" = ?)`,
		revokeUser: `UPDATE ` + tokFamilies + ` SET "revoked_at" = ?, "revoke_reason" = ? WHERE "user_id" = ? AND "revoked_at" IS NULL AND "created_at" <= ?`,
		blacklistUser: `INSERT INTO ` + tokBlacklisted + ` ("blacklisted_at", "token_id") SELECT ?, s."token_id" FROM ` + tokState + ` s
JOIN ` + tokFamilies + ` f ON f."id" = s."family_id"
WHERE f."user_id" = ? AND f."created_at" <= ? AND f."revoked_at" IS NOT NULL ON CONFLICT ("token_id") DO NOTHING`,
		reasonUser: `UPDATE ` + tokState + ` SET "reason" = ? WHERE "reason" IS NULL AND "family_id" IN
(SELECT "id" FROM ` + tokFamilies + ` WHERE "user_id" = ? AND "created_at" <= ? AND "revoked_at" IS NOT NULL)
AND "token_id" IN (SELECT "token_id" FROM ` + tokBlacklisted + ` WHERE "blacklisted_at" = ?)`,

		setValidAfter: `INSERT INTO ` + tokValidAfter + ` ("user_id", "valid_after") VALUES (?, ?)
ON CONFLICT ("user_id") DO UPDATE SET "valid_after" = EXCLUDED."valid_after" WHERE EXCLUDED."valid_after" > ` + tokValidAfter + `."valid_after"`,
		validAfter: `SELECT "valid_after" FROM ` + tokValidAfter + ` WHERE "user_id" = ?`,
		tokenState: `SELECT
(SELECT COUNT(*) FROM ` + tokBlacklisted + ` b JOIN ` + tokOutstanding + ` o ON o."id" = b."token_id" WHERE o."jti" = ?),
f."id", f."user_id", f."created_at", f."expires_at", f."revoked_at", f."revoke_reason",
(SELECT "valid_after" FROM ` + tokValidAfter + ` WHERE "user_id" = ?)
FROM (SELECT 1 AS "one") AS x LEFT JOIN ` + tokFamilies + ` f ON f."id" = ?`,
	}
	if d == MySQL {
		mysqlTokenSQL(q)
	}
	for _, p := range []*string{
		&q.blOutstanding, &q.blInsert, &q.blReason, &q.isBlacklisted,
		&q.cleanBlacklisted, &q.cleanState, &q.cleanOutstanding, &q.cleanFamilies, &q.stats,
		&q.issued, &q.familyUser, &q.upsertFamily, &q.issueOutstanding, &q.issueState,
		&q.consume, &q.consumption, &q.family,
		&q.revokeFamily, &q.blacklistFamily, &q.reasonFamily,
		&q.revokeUser, &q.blacklistUser, &q.reasonUser,
		&q.setValidAfter, &q.validAfter, &q.tokenState,
		&q.familyTokens, &q.userTokens, &q.blacklistID,
	} {
		*p = rebind(d, *p)
	}
	return q
}

// mysqlTokenSQL rewrites the upserts of q for MariaDB/MySQL, which have
// INSERT … ON DUPLICATE KEY UPDATE instead of ON CONFLICT: DO NOTHING is
// an update of the conflicting column to itself (no row changed, so an
// affected-row count of 0, as ON CONFLICT DO NOTHING gives; not of the
// AUTO_INCREMENT id, which MariaDB then fails to read under concurrent
// inserts, error 1467), and DO UPDATE … WHERE is an
// assignment that keeps the old value when the condition fails. The
// updated columns are qualified with the table, as an INSERT … SELECT may
// read other tables with columns of the same names.
func mysqlTokenSQL(q *tokenSQL) {
	nothing := func(query, conflict, table string) string {
		return strings.Replace(query, ` ON CONFLICT (`+conflict+`) DO NOTHING`,
			` ON DUPLICATE KEY UPDATE `+table+`.`+conflict+` = `+table+`.`+conflict, 1)
	}
	q.blOutstanding = nothing(q.blOutstanding, `"jti"`, tokOutstanding)
	q.issueOutstanding = nothing(q.issueOutstanding, `"jti"`, tokOutstanding)
	// No INSERT … SELECT into the blacklist: with MariaDB's default
	// innodb_autoinc_lock_mode (1) it holds the table's AUTO-INC lock
	// while its SELECT waits for row locks, and concurrent blacklistings
	// of one token deadlock (error 1467) however often they are retried.
	// An INSERT … VALUES takes the AUTO-INC lock only for a moment.
	q.blInsert = `INSERT INTO ` + tokBlacklisted + ` ("blacklisted_at", "token_id") VALUES (?, (SELECT "id" FROM ` + tokOutstanding + ` WHERE "jti" = ?))
ON DUPLICATE KEY UPDATE ` + tokBlacklisted + `."token_id" = ` + tokBlacklisted + `."token_id"`
	q.blacklistID = `INSERT INTO ` + tokBlacklisted + ` ("blacklisted_at", "token_id") VALUES (?, ?)
ON DUPLICATE KEY UPDATE "token_id" = "token_id"`
	q.familyTokens = `SELECT s."token_id" FROM ` + tokState + ` s WHERE s."family_id" = ?`
	q.userTokens = `SELECT s."token_id" FROM ` + tokState + ` s
JOIN ` + tokFamilies + ` f ON f."id" = s."family_id"
WHERE f."user_id" = ? AND f."created_at" <= ? AND f."revoked_at" IS NOT NULL`
	q.blReason = `INSERT INTO ` + tokState + ` ("token_id", "reason") SELECT "id", ? FROM ` + tokOutstanding + ` WHERE "jti" = ?
ON DUPLICATE KEY UPDATE ` + tokState + `."reason" = VALUES("reason")`
	q.upsertFamily = `INSERT INTO ` + tokFamilies + ` ("id", "user_id", "created_at", "expires_at") VALUES (?, ?, ?, ?)
ON DUPLICATE KEY UPDATE "expires_at" = GREATEST("expires_at", VALUES("expires_at"))`
	q.issueState = `INSERT INTO ` + tokState + ` ("token_id", "family_id") SELECT "id", ? FROM ` + tokOutstanding + ` WHERE "jti" = ?
ON DUPLICATE KEY UPDATE ` + tokState + `."family_id" = COALESCE(` + tokState + `."family_id", VALUES("family_id"))`
	q.setValidAfter = `INSERT INTO ` + tokValidAfter + ` ("user_id", "valid_after") VALUES (?, ?)
ON DUPLICATE KEY UPDATE "valid_after" = GREATEST("valid_after", VALUES("valid_after"))`
}

// read runs a read on the read pool with a statement prepared once.
func (t *TokenStore) read(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := t.s.prepared(ctx, t.s.rdb, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// Blacklist implements tokens.TokenBlacklist: simplejwt's get_or_create of
// the outstanding token (with an empty token column when it was not
// recorded) and of its blacklist row; the reason is recorded when this
// call blacklisted it.
func (t *TokenStore) Blacklist(ctx context.Context, jti string, expiresAt time.Time, reason tokens.BlacklistReason) error {
	now := t.s.dbTime(t.s.now())
	return t.s.tx(ctx, "blacklist", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, t.q.blOutstanding, now, t.s.dbTime(expiresAt), jti); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, t.q.blInsert, now, jti)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, t.q.blReason, reason.String(), jti)
		return err
	})
}

// IsBlacklisted implements tokens.TokenBlacklist.
func (t *TokenStore) IsBlacklisted(ctx context.Context, jti string) (bool, error) {
	row, err := t.read(ctx, t.q.isBlacklisted, jti)
	var ok bool
	if err == nil {
		err = row.Scan(&ok)
	}
	if err != nil {
		return false, t.s.fail(ctx, "is blacklisted", err)
	}
	return ok, nil
}

// Cleanup implements tokens.TokenBlacklist and tokens.RefreshStore, as
// simplejwt's flushexpiredtokens: outstanding tokens that expired at or
// before now go, with their blacklist rows and state, and so do families
// left without tokens. It returns how many outstanding tokens went.
func (t *TokenStore) Cleanup(ctx context.Context, now time.Time) (int, error) {
	cut := t.s.dbTime(now)
	var n int64
	err := t.s.tx(ctx, "token cleanup", func(tx *sql.Tx) error {
		for _, q := range []string{t.q.cleanBlacklisted, t.q.cleanState} {
			if _, err := tx.ExecContext(ctx, q, cut); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, t.q.cleanOutstanding, cut)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, t.q.cleanFamilies, cut)
		return err
	})
	return int(n), err
}

// Stats implements tokens.TokenBlacklist. Rows blacklisted by simplejwt
// count under tokens.ReasonUnspecified.
func (t *TokenStore) Stats(ctx context.Context) (tokens.Stats, error) {
	st := tokens.Stats{ByReason: map[tokens.BlacklistReason]int{}}
	rows, err := t.s.rdb.QueryContext(ctx, t.q.stats)
	if err != nil {
		return tokens.Stats{}, t.s.fail(ctx, "blacklist stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int
		var oldest, newest nullTime
		if err := rows.Scan(&name, &n, &oldest, &newest); err != nil {
			return tokens.Stats{}, t.s.fail(ctx, "blacklist stats", err)
		}
		r, _ := tokens.ParseBlacklistReason(name)
		st.ByReason[r] += n
		st.Total += n
		if oldest.Valid && (st.Oldest.IsZero() || oldest.Time.Before(st.Oldest)) {
			st.Oldest = oldest.Time
		}
		if newest.Valid && newest.Time.After(st.Newest) {
			st.Newest = newest.Time
		}
	}
	if err := rows.Err(); err != nil {
		return tokens.Stats{}, t.s.fail(ctx, "blacklist stats", err)
	}
	return st, nil
}

// Issue implements tokens.RefreshStore.
func (t *TokenStore) Issue(ctx context.Context, rec tokens.RefreshRecord) error {
	if rec.JTI == "" || rec.Family == "" || rec.UserID == "" {
		return errors.New("sqlstore: a refresh record needs a jti, a family and a user id")
	}
	var user any
	if id, ok := t.s.parseID(rec.UserID); ok {
		user = id
	}
	issued, expires := t.s.dbTime(rec.IssuedAt), t.s.dbTime(rec.ExpiresAt)
	return t.s.tx(ctx, "issue refresh token", func(tx *sql.Tx) error {
		var fam string
		switch err := tx.QueryRowContext(ctx, t.q.issued, rec.JTI).Scan(&fam); {
		case err == nil:
			return nil // recorded already
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var owner string
		switch err := tx.QueryRowContext(ctx, t.q.familyUser, rec.Family).Scan(&owner); {
		case err == nil && owner != rec.UserID:
			return answer{tokens.ErrFamilyMismatch}
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, t.q.upsertFamily, rec.Family, rec.UserID, issued, expires); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, t.q.issueOutstanding, unsigned(rec.Token), issued, expires, user, rec.JTI); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, t.q.issueState, rec.Family, rec.JTI)
		return err
	})
}

// unsigned is a JWS without its signature: "header.payload.".
func unsigned(token string) string {
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		return token[:i+1]
	}
	return ""
}

// Consume implements tokens.RefreshStore with one conditional UPDATE.
func (t *TokenStore) Consume(ctx context.Context, jti string) (tokens.Consumption, error) {
	var n int64
	st, err := t.s.prepared(ctx, t.s.db, t.q.consume)
	if err == nil {
		var res sql.Result
		if res, err = st.ExecContext(ctx, t.s.dbTime(t.s.now()), jti); err == nil {
			n, err = res.RowsAffected()
		}
	}
	if err != nil {
		return tokens.Consumption{}, t.s.fail(ctx, "consume refresh token", err)
	}
	var spent bool
	var f tokens.Family
	row, err := t.read(ctx, t.q.consumption, jti)
	if err == nil {
		err = scanFamily(row, &spent, &f)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tokens.Consumption{Result: tokens.Unknown}, nil
	case err != nil:
		return tokens.Consumption{}, t.s.fail(ctx, "consume refresh token", err)
	case n == 1:
		return tokens.Consumption{Result: tokens.Consumed, Family: f}, nil
	case spent:
		return tokens.Consumption{Result: tokens.Reused, Family: f}, nil
	case f.Revoked():
		return tokens.Consumption{Result: tokens.Revoked, Family: f}, nil
	}
	// Recorded after the UPDATE looked: it was not there to spend.
	return tokens.Consumption{Result: tokens.Unknown}, nil
}

// scanFamily reads the family columns (after the given leading columns).
func scanFamily(row *sql.Row, lead any, f *tokens.Family) error {
	var created, expires, revoked nullTime
	var reason sql.NullString
	dest := []any{&f.ID, &f.UserID, &created, &expires, &revoked, &reason}
	if lead != nil {
		dest = append([]any{lead}, dest...)
	}
	if err := row.Scan(dest...); err != nil {
		return err
	}
	fillFamily(f, created, expires, revoked, reason)
	return nil
}

func fillFamily(f *tokens.Family, created, expires, revoked nullTime, reason sql.NullString) {
	f.CreatedAt, f.ExpiresAt, f.RevokedAt = created.Time, expires.Time, revoked.Time
	f.Reason = tokens.ReasonUnspecified
	if revoked.Valid && reason.Valid {
		f.Reason, _ = tokens.ParseBlacklistReason(reason.String)
	}
}

// Family implements tokens.RefreshStore.
func (t *TokenStore) Family(ctx context.Context, id string) (tokens.Family, bool, error) {
	var f tokens.Family
	row, err := t.read(ctx, t.q.family, id)
	if err == nil {
		err = scanFamily(row, nil, &f)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tokens.Family{}, false, nil
	case err != nil:
		return tokens.Family{}, false, t.s.fail(ctx, "refresh family", err)
	}
	return f, true, nil
}

// RevokeFamily implements tokens.RefreshStore; the family's tokens are
// blacklisted in simplejwt's table too, so that Django refuses them.
func (t *TokenStore) RevokeFamily(ctx context.Context, id string, reason tokens.BlacklistReason) error {
	now := t.s.dbTime(t.s.now())
	return t.s.tx(ctx, "revoke family", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, t.q.revokeFamily, now, reason.String(), id); err != nil {
			return err
		}
		if err := t.blacklistTokens(ctx, tx, now, t.q.blacklistFamily, t.q.familyTokens, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, t.q.reasonFamily, reason.String(), id, now)
		return err
	})
}

// RevokeUser implements tokens.RefreshStore; the revoked families' tokens
// are blacklisted in simplejwt's table too.
func (t *TokenStore) RevokeUser(ctx context.Context, userID string, issuedBefore time.Time, reason tokens.BlacklistReason) (int, error) {
	now, before := t.s.dbTime(t.s.now()), t.s.dbTime(issuedBefore)
	var n int64
	err := t.s.tx(ctx, "revoke user tokens", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, t.q.revokeUser, now, reason.String(), userID, before)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if err := t.blacklistTokens(ctx, tx, now, t.q.blacklistUser, t.q.userTokens, userID, before); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, t.q.reasonUser, reason.String(), userID, before, now)
		return err
	})
	return int(n), err
}

// blacklistTokens blacklists, at now, the tokens query selects: with the
// INSERT … SELECT insertSelect, or on MariaDB/MySQL by reading their ids
// with ids and inserting them one by one (see mysqlTokenSQL).
func (t *TokenStore) blacklistTokens(ctx context.Context, tx *sql.Tx, now any, insertSelect, ids string, args ...any) error {
	if t.q.blacklistID == "" {
		_, err := tx.ExecContext(ctx, insertSelect, append([]any{now}, args...)...)
		return err
	}
	rows, err := tx.QueryContext(ctx, ids, args...)
	if err != nil {
		return err
	}
	var found []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		found = append(found, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range found {
		if _, err := tx.ExecContext(ctx, t.q.blacklistID, now, id); err != nil {
			return err
		}
	}
	return nil
}

// SetValidAfter implements tokens.RefreshStore.
func (t *TokenStore) SetValidAfter(ctx context.Context, userID string, at time.Time) error {
	if _, err := t.s.db.ExecContext(ctx, t.q.setValidAfter, userID, t.s.dbTime(at)); err != nil {
		return t.s.fail(ctx, "set valid after", err)
	}
	return nil
}

// ValidAfter implements tokens.RefreshStore.
func (t *TokenStore) ValidAfter(ctx context.Context, userID string) (time.Time, error) {
	var va nullTime
	row, err := t.read(ctx, t.q.validAfter, userID)
	if err == nil {
		err = row.Scan(&va)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, t.s.fail(ctx, "valid after", err)
	}
	return va.Time, nil
}

// TokenState implements tokens.StateReader in one query.
func (t *TokenStore) TokenState(ctx context.Context, jti, family, userID string) (tokens.TokenState, error) {
	var st tokens.TokenState
	var nBlacklisted int
	var id, user, reason sql.NullString
	var created, expires, revoked, va nullTime
	row, err := t.read(ctx, t.q.tokenState, jti, userID, family)
	if err == nil {
		err = row.Scan(&nBlacklisted, &id, &user, &created, &expires, &revoked, &reason, &va)
	}
	if err != nil {
		return tokens.TokenState{}, t.s.fail(ctx, "token state", err)
	}
	st.Blacklisted = nBlacklisted > 0
	if id.Valid {
		st.FamilyFound = true
		st.Family.ID, st.Family.UserID = id.String, user.String
		fillFamily(&st.Family, created, expires, revoked, reason)
	}
	st.ValidAfter = va.Time
	return st, nil
}
