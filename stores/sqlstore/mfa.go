package sqlstore

import (
	"context"
	"database/sql"

	"github.com/reinhardt-go/auth/core/mfa/mfastore"
)

// MFAStore is core/mfa's Store in the database, in the tables
// reinhardt_mfa_totp (one row per enrolled user) and
// reinhardt_mfa_recovery_code (the hashes of unused recovery codes), made
// by migration 0005. Every change is one conditional statement, or one
// transaction that starts with one, whose affected-row count decides which
// of concurrent calls wins: of ten concurrent uses of one time step or one
// recovery code, one succeeds.
//
//	m, err := mfa.New("MyApp", store.MFA(), secretKey)
type MFAStore struct {
	s *Store
	q mfaQueries
}

var _ mfastore.Store = (*MFAStore)(nil)

type mfaQueries struct {
	get, begin, clearCodes, confirm, exists, advance, lockConfirmed, insertCode, consume, deleteTOTP string
}

// MFA returns the store's MFAStore. The store must be migrated.
func (s *Store) MFA() *MFAStore {
	const totp, codes = `"reinhardt_mfa_totp"`, `"reinhardt_mfa_recovery_code"`
	q := mfaQueries{
		get: `SELECT t."secret", t."confirmed", t."last_step", t."created_at",
(SELECT COUNT(*) FROM ` + codes + ` c WHERE c."user_id" = t."user_id")
FROM ` + totp + ` t WHERE t."user_id" = ?`,
		// Replaces an unconfirmed row only: no affected row means a
		// confirmed one is there.
		begin: `INSERT INTO ` + totp + ` ("user_id", "secret", "confirmed", "last_step", "created_at") VALUES (?, ?, FALSE, 0, ?)
ON CONFLICT ("user_id") DO UPDATE SET "secret" = excluded."secret", "created_at" = excluded."created_at", "last_step" = 0
WHERE ` + totp + `."confirmed" = FALSE`,
		clearCodes:    `DELETE FROM ` + codes + ` WHERE "user_id" = ?`,
		confirm:       `UPDATE ` + totp + ` SET "confirmed" = TRUE, "last_step" = ? WHERE "user_id" = ? AND "confirmed" = FALSE AND "last_step" < ?`,
		exists:        `SELECT COUNT(*) FROM ` + totp + ` WHERE "user_id" = ?`,
		advance:       `UPDATE ` + totp + ` SET "last_step" = ? WHERE "user_id" = ? AND "confirmed" = TRUE AND "last_step" < ?`,
		lockConfirmed: `UPDATE ` + totp + ` SET "last_step" = "last_step" WHERE "user_id" = ? AND "confirmed" = TRUE`,
		insertCode:    `INSERT INTO ` + codes + ` ("user_id", "code_hash") VALUES (?, ?) ON CONFLICT DO NOTHING`,
		consume: `DELETE FROM ` + codes + ` WHERE "user_id" = ? AND "code_hash" = ?
AND "user_id" IN (SELECT "user_id" FROM ` + totp + ` WHERE "confirmed" = TRUE)`,
		deleteTOTP: `DELETE FROM ` + totp + ` WHERE "user_id" = ?`,
	}
	if s.dialect == MySQL {
		// ON DUPLICATE KEY UPDATE keeps a confirmed row as it is (no
		// affected row, as ON CONFLICT … WHERE gives); an update that
		// changes nothing affects no row there, so the lock of the
		// confirmed row is a locking read instead.
		q.begin = `INSERT INTO ` + totp + ` ("user_id", "secret", "confirmed", "last_step", "created_at") VALUES (?, ?, FALSE, 0, ?)
ON DUPLICATE KEY UPDATE "secret" = IF("confirmed", "secret", VALUES("secret")),
"created_at" = IF("confirmed", "created_at", VALUES("created_at")), "last_step" = IF("confirmed", "last_step", 0)`
		q.lockConfirmed = `SELECT COUNT(*) FROM ` + totp + ` WHERE "user_id" = ? AND "confirmed" = TRUE FOR UPDATE`
		q.insertCode = `INSERT INTO ` + codes + ` ("user_id", "code_hash") VALUES (?, ?) ON DUPLICATE KEY UPDATE "code_hash" = "code_hash"`
	}
	for _, p := range []*string{&q.get, &q.begin, &q.clearCodes, &q.confirm, &q.exists, &q.advance, &q.lockConfirmed, &q.insertCode, &q.consume, &q.deleteTOTP} {
		*p = rebind(s.dialect, *p)
	}
	return &MFAStore{s: s, q: q}
}

// exec runs a statement on the read-write pool and returns the affected
// rows.
func (m *MFAStore) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	st, err := m.s.prepared(ctx, m.s.db, query)
	if err != nil {
		return 0, m.s.fail(ctx, op, err)
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, m.s.fail(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, m.s.fail(ctx, op, err)
	}
	return n, nil
}

// Get implements mfastore.Store.
func (m *MFAStore) Get(ctx context.Context, userID string) (mfastore.Record, error) {
	st, err := m.s.prepared(ctx, m.s.rdb, m.q.get)
	if err != nil {
		return mfastore.Record{}, m.s.fail(ctx, "mfa: get", err)
	}
	rec := mfastore.Record{UserID: userID}
	var created nullTime
	err = st.QueryRowContext(ctx, userID).Scan(&rec.Secret, &rec.Confirmed, &rec.LastStep, &created, &rec.RecoveryCodes)
	if err == sql.ErrNoRows {
		return mfastore.Record{}, mfastore.ErrNotEnrolled
	}
	if err != nil {
		return mfastore.Record{}, m.s.fail(ctx, "mfa: get", err)
	}
	rec.CreatedAt = created.Time
	return rec, nil
}

// Begin implements mfastore.Store.
func (m *MFAStore) Begin(ctx context.Context, rec mfastore.Record) error {
	return m.s.tx(ctx, "mfa: begin", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, m.q.begin, rec.UserID, rec.Secret, m.s.dbTime(rec.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 && m.s.dialect == MySQL {
			// Nothing changed: a confirmed row, or an unconfirmed one
			// that already held these values.
			var confirmed int
			if err := tx.QueryRowContext(ctx, m.q.lockConfirmed, rec.UserID).Scan(&confirmed); err != nil {
				return err
			}
			n = int64(1 - confirmed)
		}
		if n == 0 {
			return answer{mfastore.ErrAlreadyEnrolled}
		}
		_, err = tx.ExecContext(ctx, m.q.clearCodes, rec.UserID)
		return err
	})
}

// Confirm implements mfastore.Store.
func (m *MFAStore) Confirm(ctx context.Context, userID string, step int64, hashes []string) (bool, error) {
	done := false
	err := m.s.tx(ctx, "mfa: confirm", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, m.q.confirm, step, userID, step)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var rows int
			if err := tx.QueryRowContext(ctx, m.q.exists, userID).Scan(&rows); err != nil {
				return err
			}
			if rows == 0 {
				return answer{mfastore.ErrNotEnrolled}
			}
			return nil
		}
		done = true
		return m.replaceCodes(ctx, tx, userID, hashes)
	})
	return done && err == nil, err
}

func (m *MFAStore) replaceCodes(ctx context.Context, tx *sql.Tx, userID string, hashes []string) error {
	if _, err := tx.ExecContext(ctx, m.q.clearCodes, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, m.q.insertCode, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// AdvanceStep implements mfastore.Store: one conditional UPDATE.
func (m *MFAStore) AdvanceStep(ctx context.Context, userID string, step int64) (bool, error) {
	n, err := m.exec(ctx, "mfa: advance step", m.q.advance, step, userID, step)
	return n == 1, err
}

// SetRecoveryCodes implements mfastore.Store.
func (m *MFAStore) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	return m.s.tx(ctx, "mfa: set recovery codes", func(tx *sql.Tx) error {
		// Locks the confirmed row, so that Delete cannot interleave.
		var n int64
		if m.s.dialect == MySQL {
			if err := tx.QueryRowContext(ctx, m.q.lockConfirmed, userID).Scan(&n); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, m.q.lockConfirmed, userID)
			if err != nil {
				return err
			}
			if n, err = res.RowsAffected(); err != nil {
				return err
			}
		}
		if n == 0 {
			return answer{mfastore.ErrNotEnrolled}
		}
		return m.replaceCodes(ctx, tx, userID, hashes)
	})
}

// ConsumeRecoveryCode implements mfastore.Store: one conditional DELETE.
func (m *MFAStore) ConsumeRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	n, err := m.exec(ctx, "mfa: consume recovery code", m.q.consume, userID, hash)
	return n == 1, err
}

// Delete implements mfastore.Store.
func (m *MFAStore) Delete(ctx context.Context, userID string) error {
	return m.s.tx(ctx, "mfa: delete", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, m.q.clearCodes, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, m.q.deleteTOTP, userID)
		return err
	})
}
