// Command authctl holds the management commands of reinhardt-auth, the
// counterparts of Django's manage.py commands:
//
//	authctl [-db URL] migrate [--lock-timeout DURATION]
//	authctl [-db URL] createsuperuser --username U --email E [--noinput]
//	authctl [-db URL] changepassword [--stdin] USERNAME
//	authctl [-db URL] clearsessions [--audit-retention DURATION]
//	authctl [-db URL] migratesessions --from SPEC --to SPEC
//	authctl [-db URL] createapplication --name N --client-type confidential|public --grant-types LIST --redirect-uris LIST [--skip-authorization] [--scopes LIST]
//	authctl [-db URL] createapplication [--name N] [--client-id ID] [--client-secret S] [--redirect-uris "A B"] [--user ID] [--skip-authorization] [--algorithm RS256] CLIENT_TYPE AUTHORIZATION_GRANT_TYPE
//	authctl hashpassword            < password
//	authctl checkpassword ENCODED   < password
//	authctl gensecret
//
// -db takes sqlite:PATH (the default is sqlite:var/showcase.sqlite3), a
// postgres:// URL or a mysql://user:pass@host:port/db URL (MariaDB,
// MySQL), also from REINHARDT_DB. migrate takes the database's
// migration lock, as the showcase servers do when they start, so that it
// may run while they start; it waits at most --lock-timeout (default 2m,
// also from REINHARDT_LOCK_TIMEOUT) for another process's migration and
// then fails, naming the process that holds the lock. Passwords are read from a prompt
// without echo, from standard input, or (createsuperuser --noinput) from
// REINHARDT_SUPERUSER_PASSWORD; they never appear in arguments or logs.
//
// createapplication registers an OAuth2 client, in the showcase's
// spelling (comma-separated lists) or in django-oauth-toolkit's (client
// type and grant type as arguments: authorization-code, which may also
// refresh, client-credentials or implicit). It prints
// {"client_id","client_secret"} as JSON; a generated secret is shown this
// once and stored hashed. clearsessions also removes expired OAuth2 codes
// and tokens, as DOT's cleartokens does, and the security events of the
// audit log (sqlstore.AuditLog) older than --audit-retention (default
// 2160h, 90 days; a negative duration keeps them all).
package main
