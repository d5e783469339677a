-- core/oauth2's tables (oauth2store.Store): the registered clients, the
-- authorization codes and the access and refresh tokens. Codes and tokens
-- are kept only as the SHA-256 of their value (hex), never in the clear,
-- which is why these are not django-oauth-toolkit's oauth2_provider_*
-- tables (see stores/sqlstore/oauth2.go). Lists (redirect URIs, grant
-- types, scopes) are JSON arrays of strings. No foreign keys: a client's
-- codes and tokens go with it through DeleteApplication, and expired rows
-- through CleanupExpired (authctl clearsessions), by the expires_at
-- indexes.
CREATE TABLE "reinhardt_oauth2_application" ("client_id" varchar(100) NOT NULL PRIMARY KEY, "secret_hash" varchar(255) NOT NULL, "client_type" varchar(32) NOT NULL, "name" varchar(255) NOT NULL, "redirect_uris" longtext NOT NULL, "grant_types" longtext NOT NULL, "scopes" longtext NOT NULL, "skip_authorization" bool NOT NULL, "user_id" varchar(255) NOT NULL, "created_at" datetime(6) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "reinhardt_oauth2_code" ("hash" varchar(64) NOT NULL PRIMARY KEY, "client_id" varchar(100) NOT NULL, "redirect_uri" longtext NOT NULL, "user_id" varchar(255) NOT NULL, "scopes" longtext NOT NULL, "code_challenge" varchar(128) NOT NULL, "code_challenge_method" varchar(10) NOT NULL, "nonce" longtext NOT NULL, "auth_time" datetime(6) NULL, "expires_at" datetime(6) NOT NULL, "used" bool NOT NULL, "reused" bool NOT NULL, INDEX "reinhardt_oauth2_code_client_id" ("client_id"), INDEX "reinhardt_oauth2_code_expires_at" ("expires_at")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "reinhardt_oauth2_token" ("hash" varchar(64) NOT NULL PRIMARY KEY, "kind" varchar(16) NOT NULL, "client_id" varchar(100) NOT NULL, "user_id" varchar(255) NOT NULL, "scopes" longtext NOT NULL, "expires_at" datetime(6) NOT NULL, "family_id" varchar(255) NOT NULL, "code_hash" varchar(64) NOT NULL, "auth_time" datetime(6) NULL, "issued_at" datetime(6) NOT NULL, "revoked" bool NOT NULL, "spent" bool NOT NULL, INDEX "reinhardt_oauth2_token_client_id" ("client_id"), INDEX "reinhardt_oauth2_token_family_id" ("family_id"), INDEX "reinhardt_oauth2_token_code_hash" ("code_hash"), INDEX "reinhardt_oauth2_token_expires_at" ("expires_at")) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
