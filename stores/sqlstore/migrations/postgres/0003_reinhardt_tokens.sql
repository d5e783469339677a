-- This package's token tables, for what simplejwt's blacklist app lacks:
-- refresh-token families (rotation with reuse detection), the state of
-- each outstanding token (its family, when it was spent, why it was
-- blacklisted) and each user's "valid after" stamp (logout everywhere).
-- Rows of reinhardt_token_state go with their outstanding token, also when
-- Django deletes it (flushexpiredtokens). The trigger does what Django's
-- on_delete=SET_NULL does for outstanding tokens when a user is deleted
-- outside Django.
CREATE TABLE "reinhardt_refresh_family" ("id" varchar(64) NOT NULL PRIMARY KEY, "user_id" varchar(255) NOT NULL, "created_at" timestamp with time zone NOT NULL, "expires_at" timestamp with time zone NOT NULL, "revoked_at" timestamp with time zone NULL, "revoke_reason" varchar(32) NULL);
CREATE INDEX "reinhardt_refresh_family_user_id" ON "reinhardt_refresh_family" ("user_id", "created_at");
CREATE INDEX "reinhardt_refresh_family_expires_at" ON "reinhardt_refresh_family" ("expires_at");
CREATE TABLE "reinhardt_token_state" ("token_id" bigint NOT NULL PRIMARY KEY REFERENCES "token_blacklist_outstandingtoken" ("id") ON DELETE CASCADE, "family_id" varchar(64) NULL REFERENCES "reinhardt_refresh_family" ("id") ON DELETE CASCADE, "consumed_at" timestamp with time zone NULL, "reason" varchar(32) NULL);
CREATE INDEX "reinhardt_token_state_family_id" ON "reinhardt_token_state" ("family_id");
CREATE TABLE "reinhardt_user_valid_after" ("user_id" varchar(255) NOT NULL PRIMARY KEY, "valid_after" timestamp with time zone NOT NULL);
CREATE INDEX "reinhardt_outstandingtoken_expires_at" ON "token_blacklist_outstandingtoken" ("expires_at");
CREATE FUNCTION "reinhardt_outstandingtoken_user_set_null"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN UPDATE "token_blacklist_outstandingtoken" SET "user_id" = NULL WHERE "user_id" = OLD."id"; RETURN OLD; END $$;
CREATE TRIGGER "reinhardt_outstandingtoken_user_set_null" BEFORE DELETE ON "auth_user" FOR EACH ROW EXECUTE FUNCTION "reinhardt_outstandingtoken_user_set_null"();
