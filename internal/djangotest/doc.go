// Package djangotest runs Debian's Django 3.2 (python3-django at
// /usr/bin/python3) for the interoperability tests of the packages that
// reproduce Django's formats: a test hands a Python script a JSON request
// on stdin and reads its JSON reply. Django opens the database a DB names:
// an SQLite file, a PostgreSQL schema (through psycopg2) or a MariaDB/MySQL
// database of the test's own (through MySQLdb, charset utf8mb4).
//
// Without Django a test skips, unless Django is required: under CI=true or
// REINHARDT_REQUIRE_DJANGO=1 (which `make test` sets when Django is
// installed) it fails, so that an interop test cannot pass by not running;
// the same holds for the database driver a DB needs.
package djangotest
