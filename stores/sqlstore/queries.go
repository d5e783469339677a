package sqlstore

import "strings"

// queries holds the statements of a dialect, with its placeholders.
type queries struct {
	userByUsername, userByID, allUsers string
	usersByEmail                       string

	insertUser, updateUser, setPassword, setLastLogin string
	replacePassword                                   string
	deleteUserGroups, deleteUserPerms, deleteUser     string

	insertContentType, contentTypeID string
	insertPermission, permissionID   string
	permissionByName                 string
	insertGroup                      string
	insertGroupPerm, deleteGroupPerm string
	insertUserGroup, deleteUserGroup string
	insertUserPerm, deleteUserPerm   string
	tableExists, migrationsTable     string
	appliedVersions, recordMigration string
	caseVariants, lockUsername       string
	userExists, nullUserTokens       string
}

// userColumns are auth_user's columns in the order every query reads them.
const userColumns = `"id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"`

// loadUsers reads users and everything HasPerm needs in one statement: a
// row per user (kind 0), a row per own permission (kind 1) and a row per
// group membership and group permission (kind 2; a group without
// permissions gives one row with a NULL permission). Each branch starts
// from the users selected by where, so indexes on the join tables' user_id
// serve it. The NULL casts give PostgreSQL the types of the UNION's
// columns (MariaDB/MySQL need none, see castsFor).
func loadUsers(where string, c casts) string {
	return `WITH u AS (SELECT ` + userColumns + ` FROM "auth_user"` + where + `)
SELECT 0, u."id", u."password", u."last_login", u."is_superuser", u."username", u."first_name", u."last_name", u."email", u."is_staff", u."is_active", u."date_joined",
	` + c.integer + `, ` + c.name + `, ` + c.perm + `
FROM u
UNION ALL
SELECT 1, u."id", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	` + c.integer + `, ` + c.name + `, ct."app_label" || '.' || p."codename"
FROM u
JOIN "auth_user_user_permissions" up ON up."user_id" = u."id"
JOIN "auth_permission" p ON p."id" = up."permission_id"
JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
UNION ALL
SELECT 2, u."id", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	g."id", g."name", ct."app_label" || '.' || p."codename"
FROM u
JOIN "auth_user_groups" ug ON ug."user_id" = u."id"
JOIN "auth_group" g ON g."id" = ug."group_id"
LEFT JOIN "auth_group_permissions" gp ON gp."group_id" = g."id"
LEFT JOIN "auth_permission" p ON p."id" = gp."permission_id"
LEFT JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
ORDER BY 2, 1, 13, 15`
}

// casts are the NULLs of loadUsers's columns that a branch has no value
// for, typed where the dialect needs it.
type casts struct{ integer, name, perm string }

func castsFor(d Dialect) casts {
	if d == MySQL {
		// MySQL types a UNION's columns from all its branches, so a
		// plain NULL is enough; a CAST to CHAR would take the
		// connection's collation, and a database of another collation
		// (utf8mb4_unicode_ci, say) then fails the UNION with "Illegal
		// mix of collations".
		return casts{"NULL", "NULL", "NULL"}
	}
	return casts{"CAST(NULL AS integer)", "CAST(NULL AS varchar(150))", "CAST(NULL AS varchar(201))"}
}

// usernameLockClass is the first key of the advisory locks of usernames
// being created ("user" in ASCII).
const usernameLockClass = "1970496882"

func queriesFor(d Dialect) *queries {
	c := castsFor(d)
	q := &queries{
		userByUsername: loadUsers(` WHERE "username" = ?`, c),
		userByID:       loadUsers(` WHERE "id" = ?`, c),
		// Django's email__iexact on PostgreSQL; SQLite's upper() folds
		// ASCII only, as its LIKE, Django's iexact there, does.
		usersByEmail: loadUsers(` WHERE upper("email") = upper(?)`, c),
		allUsers:     loadUsers(``, c),

		insertUser: `INSERT INTO "auth_user" ("password", "last_login", "is_superuser", "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined")
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
		updateUser: `UPDATE "auth_user" SET "password" = ?, "last_login" = ?, "is_superuser" = ?, "username" = ?, "first_name" = ?, "last_name" = ?, "email" = ?, "is_staff" = ?, "is_active" = ?, "date_joined" = ?
WHERE "id" = ?`,
		setPassword:      `UPDATE "auth_user" SET "password" = ? WHERE "id" = ?`,
		replacePassword:  `UPDATE "auth_user" SET "password" = ? WHERE "id" = ? AND "password" = ?`,
		setLastLogin:     `UPDATE "auth_user" SET "last_login" = ? WHERE "id" = ?`,
		deleteUserGroups: `DELETE FROM "auth_user_groups" WHERE "user_id" = ?`,
		deleteUserPerms:  `DELETE FROM "auth_user_user_permissions" WHERE "user_id" = ?`,
		deleteUser:       `DELETE FROM "auth_user" WHERE "id" = ?`,
		caseVariants:     `SELECT "username" FROM "auth_user" WHERE length("username") = ? AND "username" LIKE ? ESCAPE '\'`,

		insertContentType: `INSERT INTO "django_content_type" ("app_label", "model") VALUES (?, ?) ON CONFLICT DO NOTHING`,
		contentTypeID:     `SELECT "id" FROM "django_content_type" WHERE "app_label" = ? AND "model" = ?`,
		insertPermission:  `INSERT INTO "auth_permission" ("name", "content_type_id", "codename") VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		permissionID:      `SELECT "id" FROM "auth_permission" WHERE "content_type_id" = ? AND "codename" = ?`,
		permissionByName: `SELECT p."id" FROM "auth_permission" p JOIN "django_content_type" ct ON ct."id" = p."content_type_id"
WHERE ct."app_label" = ? AND ct."model" = ? AND p."codename" = ?`,
		insertGroup:     `INSERT INTO "auth_group" ("name") VALUES (?) RETURNING "id"`,
		insertGroupPerm: `INSERT INTO "auth_group_permissions" ("group_id", "permission_id") VALUES (?, ?) ON CONFLICT DO NOTHING`,
		deleteGroupPerm: `DELETE FROM "auth_group_permissions" WHERE "group_id" = ? AND "permission_id" = ?`,
		insertUserGroup: `INSERT INTO "auth_user_groups" ("user_id", "group_id") VALUES (?, ?) ON CONFLICT DO NOTHING`,
		deleteUserGroup: `DELETE FROM "auth_user_groups" WHERE "user_id" = ? AND "group_id" = ?`,
		insertUserPerm:  `INSERT INTO "auth_user_user_permissions" ("user_id", "permission_id") VALUES (?, ?) ON CONFLICT DO NOTHING`,
		deleteUserPerm:  `DELETE FROM "auth_user_user_permissions" WHERE "user_id" = ? AND "permission_id" = ?`,

		appliedVersions: `SELECT "version" FROM "reinhardt_migrations"`,
		recordMigration: `INSERT INTO "reinhardt_migrations" ("version", "name", "applied", "adopted") VALUES (?, ?, ?, ?)`,
	}
	switch d {
	case Postgres:
		q.tableExists = `SELECT to_regclass(?) IS NOT NULL`
		q.migrationsTable = `CREATE TABLE IF NOT EXISTS "reinhardt_migrations" ("version" integer NOT NULL PRIMARY KEY, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL, "adopted" boolean NOT NULL)`
		// A creator of a username holds this until its transaction ends;
		// the two-key form is a lock space apart from the migration lock.
		q.lockUsername = `SELECT pg_advisory_xact_lock(` + usernameLockClass + `, $1)`
	case MySQL:
		q.tableExists = `SELECT COUNT(*) > 0 FROM information_schema."TABLES" WHERE "TABLE_SCHEMA" = DATABASE() AND "TABLE_NAME" = ?`
		q.migrationsTable = `CREATE TABLE IF NOT EXISTS "reinhardt_migrations" ("version" integer NOT NULL PRIMARY KEY, "name" varchar(255) NOT NULL, "applied" datetime(6) NOT NULL, "adopted" bool NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`
		// No RETURNING on INSERT in MySQL (MariaDB has it): the id is the
		// result's LastInsertId. ON DUPLICATE KEY UPDATE of a column to
		// itself is ON CONFLICT DO NOTHING (no row changed; not the
		// AUTO_INCREMENT id, which MariaDB then fails to read under
		// concurrent inserts, error 1467), and
		// length() counts bytes there.
		for _, p := range []*string{&q.insertUser, &q.insertGroup} {
			*p = strings.TrimSuffix(*p, ` RETURNING "id"`)
		}
		for p, col := range map[*string]string{&q.insertContentType: "app_label", &q.insertPermission: "codename",
			&q.insertGroupPerm: "group_id", &q.insertUserGroup: "user_id", &q.insertUserPerm: "user_id"} {
			*p = strings.Replace(*p, ` ON CONFLICT DO NOTHING`, ` ON DUPLICATE KEY UPDATE "`+col+`" = "`+col+`"`, 1)
		}
		q.caseVariants = strings.Replace(q.caseVariants, `length(`, `CHAR_LENGTH(`, 1)
		// An UPDATE that changes nothing affects no row here: whether the
		// user exists is asked separately.
		q.userExists = `SELECT COUNT(*) FROM "auth_user" WHERE "id" = ?`
		// What PostgreSQL's and SQLite's trigger do (Django's
		// on_delete=SET_NULL), done by DeleteUser.
		q.nullUserTokens = `UPDATE "token_blacklist_outstandingtoken" SET "user_id" = NULL WHERE "user_id" = ?`
	default:
		q.tableExists = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE "type" = 'table' AND "name" = ?)`
		q.migrationsTable = `CREATE TABLE IF NOT EXISTS "reinhardt_migrations" ("version" integer NOT NULL PRIMARY KEY, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL, "adopted" bool NOT NULL)`
	}
	for _, p := range []*string{
		&q.userByUsername, &q.userByID, &q.allUsers, &q.usersByEmail,
		&q.insertUser, &q.updateUser, &q.setPassword, &q.setLastLogin, &q.replacePassword,
		&q.deleteUserGroups, &q.deleteUserPerms, &q.deleteUser, &q.caseVariants,
		&q.insertContentType, &q.contentTypeID, &q.insertPermission, &q.permissionID, &q.permissionByName,
		&q.insertGroup, &q.insertGroupPerm, &q.deleteGroupPerm,
		&q.insertUserGroup, &q.deleteUserGroup, &q.insertUserPerm, &q.deleteUserPerm,
		&q.tableExists, &q.appliedVersions, &q.recordMigration,
	} {
		*p = rebind(d, *p)
	}
	return q
}
