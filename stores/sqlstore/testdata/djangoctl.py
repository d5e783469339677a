#!/usr/bin/python3
"""The Django 3.2 side of the sqlstore interop tests.

    djangoctl.py populate DB [--fast|--fast-bcrypt]
                                            migrate DB, add the test users, print their manifest
    djangoctl.py migrate DB                 run Django's migrate on DB
    djangoctl.py check DB                   report what Django's migrate would still do
    djangoctl.py authenticate DB USER PW [USER PW ...]
                                            django.contrib.auth.authenticate each, as a JSON list
    djangoctl.py user DB USER               a user as Django reads it, as JSON
    djangoctl.py deleteuser DB USER         User.delete() as the admin does it; prints
                                            {"deleted": {model: n}, "sql": [the DELETE statements run]}
    djangoctl.py resetlink DB USER SECRET   the uid and token of the password-reset link Django's
                                            default_token_generator makes for USER with SECRET as
                                            SECRET_KEY: {"uid": ..., "token": ...}
    djangoctl.py pgschema URL SCHEMA        migrate a PostgreSQL schema (needs psycopg2)

DB is an SQLite file, a postgres:// URL (needs psycopg2) whose
search_path parameter names the schema, or a mysql://user:pass@host:port/db
URL (needs MySQLdb) of a utf8mb4 database. Output is JSON on stdout.
Passwords given on the command line are test passwords only.
"""
import datetime
import io
import json
import sys

import django
from django.conf import settings

DEFAULT_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def fast_hashers(bcrypt_only=False):
    """Low-work-factor subclasses (same algorithm names and formats); with
    bcrypt_only, Django's defaults except bcrypt's rounds (4 instead of 12:
    pure-Go bcrypt under the race detector takes seconds at 12)."""
    from django.contrib.auth import hashers as h

    class FastArgon2(h.Argon2PasswordHasher):
        time_cost = 1
        memory_cost = 1024
        parallelism = 1

    class FastBCryptSHA256(h.BCryptSHA256PasswordHasher):
        rounds = 4

    class FastBCrypt(h.BCryptPasswordHasher):
        rounds = 4

    class FastPBKDF2(h.PBKDF2PasswordHasher):
        iterations = 1000

    class FastPBKDF2SHA1(h.PBKDF2SHA1PasswordHasher):
        iterations = 1000

    mod = sys.modules[__name__]
    for cls in (FastArgon2, FastBCryptSHA256, FastBCrypt, FastPBKDF2, FastPBKDF2SHA1):
        setattr(mod, cls.__name__, cls)
    if bcrypt_only:
        return [DEFAULT_HASHERS[0], __name__ + ".FastBCryptSHA256", __name__ + ".FastBCrypt"] + DEFAULT_HASHERS[3:]
    return [__name__ + ".FastArgon2", __name__ + ".FastBCryptSHA256", __name__ + ".FastBCrypt",
            __name__ + ".FastPBKDF2", "django.contrib.auth.hashers.MD5PasswordHasher",
            __name__ + ".FastPBKDF2SHA1"]


def setup(db, fast=False, database=None, fast_bcrypt=False):
    settings.configure(
        SECRET_KEY="reinhardt-interop-tests",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": database or {"ENGINE": "django.db.backends.sqlite3", "NAME": db}},
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=DEFAULT_HASHERS,
    )
    if fast or fast_bcrypt:
        # The hasher classes subclass Django's, so they are made after
        # settings exist; PASSWORD_HASHERS is read lazily.
        settings.PASSWORD_HASHERS = fast_hashers(bcrypt_only=not fast)
    django.setup()


def migrate():
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)


def iso(dt):
    return dt.isoformat() if dt else None


def describe(user):
    from django.contrib.auth.models import Permission

    def names(perms):
        return sorted("%s.%s" % (p.content_type.app_label, p.codename) for p in perms)

    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "usable": user.has_usable_password(),
        "algorithm": user.password.split("$", 1)[0] if user.has_usable_password() else "",
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        # What is stored, whatever the flags say.
        "user_permissions": names(user.user_permissions.all()),
        "group_permissions": names(Permission.objects.filter(group__user=user).distinct()),
        "groups": sorted(g.name for g in user.groups.all()),
        # What Django's has_perm grants (for a superuser: every permission).
        "all_permissions": sorted(user.get_all_permissions()),
    }


UTC = datetime.timezone.utc

# username, password, hasher, extra fields
USERS = [
    ("argon2_user", "argon2 pass", "argon2", {}),
    ("bcrypt_sha256_user", "bcrypt sha256 pass", "bcrypt_sha256", {}),
    ("bcrypt_user", "bcrypt pass", "bcrypt", {}),
    ("pbkdf2_user", "pbkdf2 pass", "pbkdf2_sha256", {"email": "pbkdf2@example.com", "first_name": "Pat"}),
    ("md5_user", "md5 pass", "md5", {"is_staff": True}),
    ("inactive_user", "inactive pass", "pbkdf2_sha256", {"is_active": False}),
    ("unusable_user", None, None, {}),
    ("Zoë", "zoë pass ☃", "argon2", {"email": "zoe@example.com", "last_name": "Ünïcode"}),
    ("pbkdf2_sha1_user", "pbkdf2 sha1 pass", "pbkdf2_sha1", {}),
    # Django before 4.2 lets usernames differ only in case: both log in.
    ("casey", "lower casey pass", "md5", {}),
    ("Casey", "upper casey pass", "md5", {}),
]


def populate():
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    migrate()
    article = ContentType.objects.create(app_label="blog", model="article")
    publish = Permission.objects.create(content_type=article, codename="publish_article", name="Can publish article")

    def perm(label):
        app, codename = label.split(".")
        return Permission.objects.get(content_type__app_label=app, codename=codename)

    editors = Group.objects.create(name="editors")
    editors.permissions.add(perm("auth.change_user"), perm("auth.view_group"), publish)
    viewers = Group.objects.create(name="viewers")
    viewers.permissions.add(perm("auth.view_user"), perm("auth.view_permission"))
    Group.objects.create(name="empty")

    joined = datetime.datetime(2021, 4, 6, 12, 30, 45, 123456, tzinfo=UTC)
    out = []
    for i, (name, password, hasher, extra) in enumerate(USERS):
        if name == "Casey" and connection.vendor == "mysql":
            # The database's case-insensitive collation makes Casey casey
            # for auth_user's unique constraint: Django on MySQL refuses it.
            continue
        user = User(username=name, date_joined=joined + datetime.timedelta(minutes=i), **extra)
        if password is None:
            user.set_unusable_password()
        else:
            user.password = make_password(password, hasher=hasher)
        user.save()
        out.append((user, password))

    users = {u.username: u for u, _ in out}
    users["pbkdf2_user"].groups.add(editors, viewers)
    users["pbkdf2_user"].user_permissions.add(perm("auth.add_group"))
    users["md5_user"].groups.add(editors)
    users["md5_user"].user_permissions.add(perm("auth.view_user"))
    users["inactive_user"].groups.add(editors)
    users["inactive_user"].user_permissions.add(perm("auth.add_user"))
    users["Zoë"].groups.add(viewers)
    # last_login with and without microseconds (Django writes no fraction then).
    User.objects.filter(pk=users["argon2_user"].pk).update(
        last_login=datetime.datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC))
    User.objects.filter(pk=users["pbkdf2_user"].pk).update(
        last_login=datetime.datetime(2022, 1, 2, 3, 4, 5, 678901, tzinfo=UTC))
    admin = User.objects.create_superuser("admin", "admin@example.com", "admin pass",
                                          date_joined=joined + datetime.timedelta(hours=1))
    out.append((admin, "admin pass"))

    manifest = []
    for user, password in out:
        user = User.objects.get(pk=user.pk)
        d = describe(user)
        d["password"] = password
        manifest.append(d)
    return {"django": django.get_version(), "users": manifest}


def check():
    """What `migrate` would do, and `migrate --check`'s verdict."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    code = 0
    try:
        call_command("migrate", check_unapplied=True, verbosity=0, interactive=False)
    except SystemExit as e:
        code = e.code or 0
    out = io.StringIO()
    call_command("showmigrations", stdout=out, verbosity=1)
    applied = sorted("%s.%s" % k for k in executor.loader.applied_migrations)
    return {"plan": ["%s.%s" % (m.app_label, m.name) for m, _ in plan], "check_exit": code,
            "applied": applied, "showmigrations": out.getvalue()}


def authenticate(username, password):
    from django.contrib.auth import authenticate as auth
    from django.contrib.auth.models import User

    user = auth(username=username, password=password)
    res = {"ok": user is not None}
    if user is not None:
        res["user"] = describe(User.objects.get(pk=user.pk))
    return res


def postgres_database(url, schema=None):
    """Django's DATABASES entry for a postgres:// URL (schema: the search_path)."""
    from urllib.parse import parse_qs, urlparse
    u = urlparse(url)
    schema = schema or parse_qs(u.query).get("search_path", ["public"])[0]
    return {
        "ENGINE": "django.db.backends.postgresql", "NAME": u.path.lstrip("/"),
        "USER": u.username or "", "PASSWORD": u.password or "", "HOST": u.hostname or "",
        "PORT": str(u.port or ""), "OPTIONS": {"options": "-c search_path=%s" % schema},
    }


def mysql_database(url):
    """Django's DATABASES entry for a mysql://user:pass@host:port/db URL."""
    from urllib.parse import unquote, urlparse
    u = urlparse(url)
    return {
        "ENGINE": "django.db.backends.mysql", "NAME": u.path.lstrip("/"),
        "USER": unquote(u.username or ""), "PASSWORD": unquote(u.password or ""), "HOST": u.hostname or "",
        "PORT": str(u.port or ""), "OPTIONS": {"charset": "utf8mb4"},
    }


def delete_user(username):
    """Delete the user as Django's admin does (Model.delete: Django's
    collector deletes the rows of the models it knows, the database's
    ON DELETE clauses the rest), recording the DELETE statements."""
    from django.contrib.auth.models import User
    from django.db import connection

    user = User.objects.get(username=username)
    connection.force_debug_cursor = True
    _, deleted = user.delete()
    sql = [q["sql"] for q in connection.queries if q["sql"].startswith("DELETE")]
    return {"deleted": deleted, "sql": sql}


def reset_link(username, secret):
    """The uid and token of the reset link Django's PasswordResetForm would
    mail USER, made with SECRET as the SECRET_KEY."""
    from django.contrib.auth.models import User
    from django.contrib.auth.tokens import PasswordResetTokenGenerator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.get(username=username)
    generator = PasswordResetTokenGenerator()
    generator.secret = secret
    return {"uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": generator.make_token(user)}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, db = argv[1], argv[2]
    if cmd == "pgschema":
        # db is a postgres URL; argv[3] the schema to migrate into.
        setup(None, database=postgres_database(db, argv[3]))
        migrate()
        print(json.dumps({"ok": True}))
        return 0
    database = None
    if db.startswith(("postgres://", "postgresql://")):
        database = postgres_database(db)
    elif db.startswith("mysql://"):
        database = mysql_database(db)
    setup(db, fast="--fast" in argv, fast_bcrypt="--fast-bcrypt" in argv, database=database)
    if cmd == "populate":
        res = populate()
    elif cmd == "migrate":
        migrate()
        res = {"ok": True}
    elif cmd == "check":
        res = check()
    elif cmd == "authenticate":
        pairs = argv[3:]
        res = [authenticate(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
    elif cmd == "user":
        from django.contrib.auth.models import User
        u = User.objects.filter(username=argv[3]).first()
        res = describe(u) if u else None
    elif cmd == "deleteuser":
        res = delete_user(argv[3])
    elif cmd == "resetlink":
        res = reset_link(argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(res, indent=1, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
