-- The index of sessions by user (django-user-sessions' idea, in a table
-- of our own so that django_session stays exactly Django's): one row per
-- logged-in session DatabaseSessionBackend wrote, by the session_key
-- column of its django_session row, with its namespace, its user, the
-- opaque handle a page shows, the login's client and its times.
CREATE TABLE "reinhardt_user_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "namespace" varchar(255) NOT NULL, "user_id" varchar(255) NOT NULL, "handle" varchar(32) NOT NULL, "created_at" timestamp with time zone NOT NULL, "last_seen" timestamp with time zone NOT NULL, "expire_date" timestamp with time zone NOT NULL, "user_agent" varchar(200) NOT NULL, "ip" varchar(45) NOT NULL);
CREATE INDEX "reinhardt_user_session_user_id" ON "reinhardt_user_session" ("user_id");
CREATE INDEX "reinhardt_user_session_expire_date" ON "reinhardt_user_session" ("expire_date");
