-- This package's token tables, for what simplejwt's blacklist app lacks:
-- refresh-token families (rotation with reuse detection), the state of
-- each outstanding token (its family, when it was spent, why it was
-- blacklisted) and each user's "valid after" stamp (logout everywhere).
-- Rows of reinhardt_token_state go with their outstanding token, also when
-- Django deletes it (flushexpiredtokens). What Django's on_delete=SET_NULL
-- does for outstanding tokens when a user is deleted is done by
-- Store.DeleteUser in its transaction (a trigger would need the SUPER
-- privilege, or log_bin_trust_function_creators, where the binary log is
-- on). This package's tables are utf8mb4_bin: their keys (hashes, ids,
-- throttle keys) compare byte for byte.
CREATE TABLE "reinhardt_refresh_family" ("id" varchar(64) NOT NULL PRIMARY KEY, "user_id" varchar(255) NOT NULL, "created_at" datetime(6) NOT NULL, "expires_at" datetime(6) NOT NULL, "revoked_at" datetime(6) NULL, "revoke_reason" varchar(32) NULL, INDEX "reinhardt_refresh_family_user_id" ("user_id", "created_at"), INDEX "reinhardt_refresh_family_expires_at" ("expires_at")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "reinhardt_token_state" ("token_id" bigint NOT NULL PRIMARY KEY, "family_id" varchar(64) NULL, "consumed_at" datetime(6) NULL, "reason" varchar(32) NULL, FOREIGN KEY ("token_id") REFERENCES "token_blacklist_outstandingtoken" ("id") ON DELETE CASCADE, FOREIGN KEY ("family_id") REFERENCES "reinhardt_refresh_family" ("id") ON DELETE CASCADE, INDEX "reinhardt_token_state_family_id" ("family_id")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "reinhardt_user_valid_after" ("user_id" varchar(255) NOT NULL PRIMARY KEY, "valid_after" datetime(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX "reinhardt_outstandingtoken_expires_at" ON "token_blacklist_outstandingtoken" ("expires_at");
