-- Django 3.2's contenttypes (0001-0002) and auth (0001-0012) tables for
-- MariaDB/MySQL: the end state of Django's migrations as Django's MySQL
-- backend makes them, with Django's column types (integer AUTO_INCREMENT,
-- bool, datetime(6)) and constraint names, no table options (the tables
-- take the database's default character set and collation, which
-- Migrate requires to be utf8mb4) and, as Django on InnoDB, no index of
-- its own for a foreign key column (InnoDB makes one with the
-- constraint's name). The constraints are declared in CREATE TABLE,
-- where Django adds them with ALTER TABLE afterwards: the end state is
-- the same, names included, and InnoDB builds each table once instead of
-- once per constraint. The statements use standard double-quoted
-- identifiers: every session of a Store runs with ANSI_QUOTES.
-- reinhardt:applied-if-exists django_content_type auth_permission auth_group auth_user
CREATE TABLE IF NOT EXISTS "django_migrations" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime(6) NOT NULL);
CREATE TABLE "django_content_type" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL, CONSTRAINT "django_content_type_app_label_model_76bd3d3b_uniq" UNIQUE ("app_label", "model"));
CREATE TABLE "auth_permission" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "name" varchar(255) NOT NULL, "content_type_id" integer NOT NULL, "codename" varchar(100) NOT NULL, CONSTRAINT "auth_permission_content_type_id_codename_01ab375a_uniq" UNIQUE ("content_type_id", "codename"), CONSTRAINT "auth_permission_content_type_id_2f476e4b_fk_django_co" FOREIGN KEY ("content_type_id") REFERENCES "django_content_type" ("id"));
CREATE TABLE "auth_group" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "name" varchar(150) NOT NULL UNIQUE);
CREATE TABLE "auth_group_permissions" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "group_id" integer NOT NULL, "permission_id" integer NOT NULL, CONSTRAINT "auth_group_permissions_group_id_permission_id_0cd325b0_uniq" UNIQUE ("group_id", "permission_id"), CONSTRAINT "auth_group_permissions_group_id_b120cbf9_fk_auth_group_id" FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id"), CONSTRAINT "auth_group_permissio_permission_id_84c5c92e_fk_auth_perm" FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id"));
CREATE TABLE "auth_user" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL, "last_login" datetime(6) NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime(6) NOT NULL);
CREATE TABLE "auth_user_groups" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "user_id" integer NOT NULL, "group_id" integer NOT NULL, CONSTRAINT "auth_user_groups_user_id_group_id_94350c0c_uniq" UNIQUE ("user_id", "group_id"), CONSTRAINT "auth_user_groups_user_id_6a12ed8b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id"), CONSTRAINT "auth_user_groups_group_id_97559544_fk_auth_group_id" FOREIGN KEY ("group_id") REFERENCES "auth_group" ("id"));
CREATE TABLE "auth_user_user_permissions" ("id" integer AUTO_INCREMENT NOT NULL PRIMARY KEY, "user_id" integer NOT NULL, "permission_id" integer NOT NULL, CONSTRAINT "auth_user_user_permissions_user_id_permission_id_14a6b632_uniq" UNIQUE ("user_id", "permission_id"), CONSTRAINT "auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id"), CONSTRAINT "auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm" FOREIGN KEY ("permission_id") REFERENCES "auth_permission" ("id"));
-- The content types and default permissions Django's post_migrate handlers
-- create, in Django's order, so that ids match a database Django made.
INSERT INTO "django_content_type" ("app_label", "model") VALUES ('contenttypes', 'contenttype');
INSERT INTO "django_content_type" ("app_label", "model") VALUES ('auth', 'permission');
INSERT INTO "django_content_type" ("app_label", "model") VALUES ('auth', 'group');
INSERT INTO "django_content_type" ("app_label", "model") VALUES ('auth', 'user');
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can add content type', "id", 'add_contenttype' FROM "django_content_type" WHERE "app_label" = 'contenttypes' AND "model" = 'contenttype';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can change content type', "id", 'change_contenttype' FROM "django_content_type" WHERE "app_label" = 'contenttypes' AND "model" = 'contenttype';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can delete content type', "id", 'delete_contenttype' FROM "django_content_type" WHERE "app_label" = 'contenttypes' AND "model" = 'contenttype';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can view content type', "id", 'view_contenttype' FROM "django_content_type" WHERE "app_label" = 'contenttypes' AND "model" = 'contenttype';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can add permission', "id", 'add_permission' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'permission';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can change permission', "id", 'change_permission' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'permission';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can delete permission', "id", 'delete_permission' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'permission';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can view permission', "id", 'view_permission' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'permission';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can add group', "id", 'add_group' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'group';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can change group', "id", 'change_group' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'group';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can delete group', "id", 'delete_group' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'group';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can view group', "id", 'view_group' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'group';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can add user', "id", 'add_user' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'user';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can change user', "id", 'change_user' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'user';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can delete user', "id", 'delete_user' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'user';
INSERT INTO "auth_permission" ("name", "content_type_id", "codename") SELECT 'Can view user', "id", 'view_user' FROM "django_content_type" WHERE "app_label" = 'auth' AND "model" = 'user';
-- Django's bookkeeping: the migrations whose end state these tables are.
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'contenttypes', '0001_initial', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'contenttypes' AND "name" = '0001_initial');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'contenttypes', '0002_remove_content_type_name', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'contenttypes' AND "name" = '0002_remove_content_type_name');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0001_initial', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0001_initial');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0002_alter_permission_name_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0002_alter_permission_name_max_length');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0003_alter_user_email_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0003_alter_user_email_max_length');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0004_alter_user_username_opts', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0004_alter_user_username_opts');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0005_alter_user_last_login_null', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0005_alter_user_last_login_null');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0006_require_contenttypes_0002', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0006_require_contenttypes_0002');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0007_alter_validators_add_error_messages', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0007_alter_validators_add_error_messages');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0008_alter_user_username_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0008_alter_user_username_max_length');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0009_alter_user_last_name_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0009_alter_user_last_name_max_length');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0010_alter_group_name_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0010_alter_group_name_max_length');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0011_update_proxy_permissions', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0011_update_proxy_permissions');
INSERT INTO "django_migrations" ("app", "name", "applied") SELECT 'auth', '0012_alter_user_first_name_max_length', CURRENT_TIMESTAMP FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM "django_migrations" WHERE "app" = 'auth' AND "name" = '0012_alter_user_first_name_max_length');
