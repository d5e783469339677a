-- core/mfa's tables: each user's TOTP enrollment (the secret encrypted
-- by core/mfa, whether a first code confirmed it, the time step of the
-- last accepted code, which only moves forward) and the SHA-256 hashes of
-- the user's unused recovery codes, which go with the enrollment.
CREATE TABLE "reinhardt_mfa_totp" ("user_id" varchar(255) NOT NULL PRIMARY KEY, "secret" longtext NOT NULL, "confirmed" bool NOT NULL, "last_step" bigint NOT NULL, "created_at" datetime(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "reinhardt_mfa_recovery_code" ("user_id" varchar(255) NOT NULL, "code_hash" varchar(64) NOT NULL, PRIMARY KEY ("user_id", "code_hash"), FOREIGN KEY ("user_id") REFERENCES "reinhardt_mfa_totp" ("user_id") ON DELETE CASCADE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
