-- Django 3.2's django.contrib.sessions (sessions 0001_initial) for MariaDB/MySQL:
-- the django_session table and its expire_date index exactly as Django's
-- migrate makes them (`manage.py sqlmigrate sessions 0001`), the
-- sessions.session content type and its four permissions, and the
-- django_migrations row, so that a Django project with
-- django.contrib.sessions installed finds nothing to migrate. If Django
-- made the table already, the migration is adopted and changes nothing.
-- DatabaseSessionBackend keeps its rows in this table with nothing added
-- to it: session_key holds sessions.StorageKey (a hash; Django cannot
-- resume these sessions, by design), session_data the base64 of a header
-- with the record's version and then its data.
-- reinhardt:applied-if-exists django_session
CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" longtext NOT NULL, "expire_date" datetime(6) NOT NULL, INDEX "django_session_expire_date_a5c62663" ("expire_date"));
INSERT INTO "django_content_type" ("app_label", "model") SELECT 'sessions', 'session' FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_content_type" WHERE "app_label" = 'sessions' AND "model" = 'session');
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can add session', "id", 'add_session' FROM "django_content_type" WHERE "app_label" = 'sessions' AND "model" = 'session' AND NOT EXISTS (SELECT 1 FROM "auth_permission" p WHERE p."content_type_id" = "django_content_type"."id" AND p."codename" = 'add_session');
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can change session', "id", 'change_session' FROM "django_content_type" WHERE "app_label" = 'sessions' AND "model" = 'session' AND NOT EXISTS (SELECT 1 FROM "auth_permission" p WHERE p."content_type_id" = "django_content_type"."id" AND p."codename" = 'change_session');
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can delete session', "id", 'delete_session' FROM "django_content_type" WHERE "app_label" = 'sessions' AND "model" = 'session' AND NOT EXISTS (SELECT 1 FROM "auth_permission" p WHERE p."content_type_id" = "django_content_type"."id" AND p."codename" = 'delete_session');
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can view session', "id", 'view_session' FROM "django_content_type" WHERE "app_label" = 'sessions' AND "model" = 'session' AND NOT EXISTS (SELECT 1 FROM "auth_permission" p WHERE p."content_type_id" = "django_content_type"."id" AND p."codename" = 'view_session');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'sessions', '0001_initial', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'sessions' AND "name" = '0001_initial');
