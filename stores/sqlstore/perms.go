package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// EnsurePermission returns the id of the permission codename on the model
// appLabel.model (Django's "appLabel.codename"), creating the content type
// and the permission when they are missing. name is the human-readable
// name ("Can publish article"); an existing permission keeps its name.
//
// When both exist it only reads: it writes nothing and, on PostgreSQL,
// takes no number from the tables' sequences (an INSERT that meets a
// conflict still does), so an application may call it on every start.
func (s *Store) EnsurePermission(ctx context.Context, appLabel, model, codename, name string) (int64, error) {
	if appLabel == "" || model == "" || codename == "" {
		return 0, errors.New("sqlstore: EnsurePermission needs an app label, a model and a codename")
	}
	if !s.storable(appLabel, model, codename, name) {
		return 0, ErrUnstorableText
	}
	var id int64
	err := s.rdb.QueryRowContext(ctx, s.q.permissionByName, appLabel, model, codename).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, s.fail(ctx, "ensure permission", err)
	}
	err = s.inTx(ctx, "ensure permission", func(tx *sql.Tx) error {
		// Another process may have made either since the read: insert
		// only what is still missing, and let a conflict with a
		// concurrent insert pass.
		ct, err := s.ensureRow(ctx, tx, s.q.contentTypeID, []any{appLabel, model}, s.q.insertContentType, []any{appLabel, model})
		if err != nil {
			return err
		}
		id, err = s.ensureRow(ctx, tx, s.q.permissionID, []any{ct, codename}, s.q.insertPermission, []any{name, ct, codename})
		return err
	})
	return id, err
}

// ensureRow returns the id that query finds, running insert first when it
// finds none.
func (s *Store) ensureRow(ctx context.Context, tx *sql.Tx, query string, queryArgs []any, insert string, insertArgs []any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query, queryArgs...).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	if _, err := tx.ExecContext(ctx, insert, insertArgs...); err != nil {
		return 0, err
	}
	err = tx.QueryRowContext(ctx, query, queryArgs...).Scan(&id)
	return id, err
}

// CreateGroup creates a group and returns its id; a name that is taken is
// ErrDuplicateGroup.
func (s *Store) CreateGroup(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, errors.New("sqlstore: a group needs a name")
	}
	if !s.storable(name) {
		return 0, ErrUnstorableText
	}
	id, err := s.insertID(ctx, s.db, s.q.insertGroup, name)
	if err != nil {
		if kind, _ := constraint(err); kind == "unique" {
			return 0, ErrDuplicateGroup
		}
		return 0, s.fail(ctx, "create group", err)
	}
	return id, nil
}

// AddGroupPermission grants a permission to a group; granting it again is
// not an error. An unknown group or permission is ErrNotFound.
func (s *Store) AddGroupPermission(ctx context.Context, groupID, permissionID int64) error {
	return s.link(ctx, "add group permission", s.q.insertGroupPerm, groupID, permissionID, false)
}

// RemoveGroupPermission takes a permission from a group; it is not an
// error if the group did not have it.
func (s *Store) RemoveGroupPermission(ctx context.Context, groupID, permissionID int64) error {
	return s.link(ctx, "remove group permission", s.q.deleteGroupPerm, groupID, permissionID, true)
}

// AddUserToGroup makes the user a member of the group; adding a member
// again is not an error. An unknown user or group is ErrNotFound.
func (s *Store) AddUserToGroup(ctx context.Context, userID, groupID int64) error {
	return s.link(ctx, "add user to group", s.q.insertUserGroup, userID, groupID, false)
}

// RemoveUserFromGroup ends the user's membership of the group; it is not
// an error if there was none.
func (s *Store) RemoveUserFromGroup(ctx context.Context, userID, groupID int64) error {
	return s.link(ctx, "remove user from group", s.q.deleteUserGroup, userID, groupID, true)
}

// AddUserPermission grants a permission to a user directly; granting it
// again is not an error. An unknown user or permission is ErrNotFound.
func (s *Store) AddUserPermission(ctx context.Context, userID, permissionID int64) error {
	return s.link(ctx, "add user permission", s.q.insertUserPerm, userID, permissionID, false)
}

// RemoveUserPermission takes a directly granted permission from a user
// (permissions held through groups stay); it is not an error if the user
// did not have it.
func (s *Store) RemoveUserPermission(ctx context.Context, userID, permissionID int64) error {
	return s.link(ctx, "remove user permission", s.q.deleteUserPerm, userID, permissionID, true)
}

// link inserts (or, when remove is set, deletes) a row of a many-to-many
// table. The foreign keys decide whether both ends exist.
func (s *Store) link(ctx context.Context, op, query string, a, b int64, remove bool) error {
	if !s.validID(a) || !s.validID(b) {
		if err := ctx.Err(); err != nil {
			return s.fail(ctx, op, err)
		}
		if remove {
			return nil
		}
		return fmt.Errorf("sqlstore: %s: %w", op, ErrNotFound)
	}
	if _, err := s.db.ExecContext(ctx, query, a, b); err != nil {
		if kind, _ := constraint(err); kind == "foreign key" {
			return fmt.Errorf("sqlstore: %s: %w", op, ErrNotFound)
		}
		return s.fail(ctx, op, err)
	}
	return nil
}
