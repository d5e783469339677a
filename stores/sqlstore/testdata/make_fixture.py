#!/usr/bin/python3
"""Regenerates django32.sqlite3 and django32.json beside this file.

Run with Debian's Django 3.2 (python3-django, python3-argon2,
python3-bcrypt):

    /usr/bin/python3 stores/sqlstore/testdata/make_fixture.py

It runs Django's migrate on a new SQLite file, adds the users, groups and
permissions of djangoctl.populate (hashed with low work factors so the Go
tests stay fast), writes what Django says about each user to django32.json
(with the test passwords), and vacuums the database.
"""
import json
import os
import sqlite3
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the fixture
sys.path.insert(0, here)
import djangoctl  # noqa: E402

db = os.path.join(here, "django32.sqlite3")
manifest = os.path.join(here, "django32.json")
tmp = db + ".tmp"
for p in (tmp, tmp + "-journal"):
    if os.path.exists(p):
        os.remove(p)
djangoctl.setup(tmp, fast=True)
res = djangoctl.populate()
from django.db import connection  # noqa: E402
connection.close()
c = sqlite3.connect(tmp)
c.execute("VACUUM")
c.close()
os.replace(tmp, db)
with open(manifest, "w", encoding="utf-8") as f:
    json.dump(res, f, indent=1, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print("wrote %s (%d bytes) and %s" % (db, os.path.getsize(db), manifest))
