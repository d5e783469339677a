-- core/mfa's tables: each user's TOTP enrollment (the secret encrypted
-- by core/mfa, whether a first code confirmed it, the time step of the
-- last accepted code, which only moves forward) and the SHA-256 hashes of
-- the user's unused recovery codes, which go with the enrollment.
CREATE TABLE "reinhardt_mfa_totp" ("user_id" varchar(255) NOT NULL PRIMARY KEY, "secret" text NOT NULL, "confirmed" boolean NOT NULL, "last_step" bigint NOT NULL, "created_at" timestamp with time zone NOT NULL);
CREATE TABLE "reinhardt_mfa_recovery_code" ("user_id" varchar(255) NOT NULL REFERENCES "reinhardt_mfa_totp" ("user_id") ON DELETE CASCADE, "code_hash" varchar(64) NOT NULL, PRIMARY KEY ("user_id", "code_hash"));
