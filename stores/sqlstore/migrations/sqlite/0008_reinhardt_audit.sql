-- The security events of core/events (sqlstore.AuditLog, a subscriber of
-- an events.Dispatcher): one row per event, with its time (UTC, to the
-- microsecond, as Django keeps datetimes), kind, user id, client address,
-- request id and the fields of its own as a JSON object. No event holds a
-- secret (no password, token or code). Rows older than the retention
-- (AuditLog.Retention, 90 days by default) go through Prune (authctl
-- clearsessions), by the at index; the user index serves a user's history.
CREATE TABLE "reinhardt_audit_event" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "at" datetime NOT NULL, "kind" varchar(64) NOT NULL, "user_id" varchar(255) NOT NULL, "remote_addr" varchar(64) NOT NULL, "request_id" varchar(128) NOT NULL, "detail" text NOT NULL);
CREATE INDEX "reinhardt_audit_event_at" ON "reinhardt_audit_event" ("at");
CREATE INDEX "reinhardt_audit_event_user_at" ON "reinhardt_audit_event" ("user_id", "at");
