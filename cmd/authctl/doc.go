// Command authctl holds the management commands of reinhardt-auth, the
// counterparts of Django's manage.py commands:
//
//	authctl [-db URL] migrate [--lock-timeout DURATION]
//	authctl [-db URL] createsuperuser --username U --email E [--noinput]
//	authctl [-db URL] changepassword [--stdin] USERNAME
//	authctl [-db URL] clearsessions
//	authctl [-db URL] migratesessions --from SPEC --to SPEC
//	authctl hashpassword            < password
//	authctl checkpassword ENCODED   < password
//	authctl gensecret
//
// -db takes sqlite:PATH (the default is sqlite:var/showcase.sqlite3) or a
// postgres:// URL, also from REINHARDT_DB. migrate takes the database's
// migration lock, as the showcase servers do when they start, so that it
// may run while they start; it waits at most --lock-timeout (default 2m,
// also from REINHARDT_LOCK_TIMEOUT) for another process's migration and
// then fails, naming the process that holds the lock. Passwords are read from a prompt
// without echo, from standard input, or (createsuperuser --noinput) from
// REINHARDT_SUPERUSER_PASSWORD; they never appear in arguments or logs.
package main
