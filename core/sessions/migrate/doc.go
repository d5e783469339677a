// Package migrate copies every live session from one session backend to
// another (say from the database to Redis), keeping their storage keys,
// data and expiries, so that users stay logged in across the move:
//
//	copied, err := migrate.Copy(ctx, from, to, nil)
//
// authctl migratesessions is its command-line front end.
package migrate
