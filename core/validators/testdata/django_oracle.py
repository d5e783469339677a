"""Test oracle: answers questions about Django's password validators and
CPython's string semantics, for the Go tests of package validators.

Reads one JSON request on stdin and writes one JSON response on stdout.
Run with a Python that can import Django (the tests use /usr/bin/python3).
"""
import difflib
import functools
import json
import os
import re
import sys
import tempfile
import unicodedata

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
    USE_I18N=True,
    LANGUAGE_CODE="en-us",
)
django.setup()

from django.contrib.auth import password_validation as pv  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.exceptions import FieldDoesNotExist, ValidationError  # noqa: E402

USER_FIELDS = {"username", "first_name", "last_name", "email", "password"}


@functools.lru_cache(maxsize=None)
def default_common_validator():
    return pv.CommonPasswordValidator()


def make_validator(spec, tmpdir):
    kind = spec["kind"]
    opts = dict(spec.get("opts") or {})
    if kind == "similarity":
        if "user_attributes" in opts:
            opts["user_attributes"] = tuple(opts["user_attributes"])
        return pv.UserAttributeSimilarityValidator(**opts)
    if kind == "min":
        return pv.MinimumLengthValidator(**opts)
    if kind == "common":
        if "password_list" in opts:
            path = os.path.join(tmpdir, "list%d.txt" % len(os.listdir(tmpdir)))
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(opts.pop("password_list"))
            opts["password_list_path"] = path
            return pv.CommonPasswordValidator(**opts)
        return default_common_validator()
    if kind == "numeric":
        return pv.NumericPasswordValidator()
    raise SystemExit("unknown validator kind %r" % kind)


def make_user(attrs):
    if attrs is None:
        return None
    user = User(**{k: v for k, v in attrs.items() if k in USER_FIELDS})
    for k, v in attrs.items():
        if k not in USER_FIELDS:
            setattr(user, k, v)
    return user


def run_case(case, tmpdir):
    try:
        vs = [make_validator(s, tmpdir) for s in case["validators"]]
    except ValueError as e:
        return {"value_error": str(e)}
    out = {"help": pv.password_validators_help_texts(vs), "errors": []}
    try:
        pv.validate_password(case["password"], make_user(case.get("user")), vs)
    except ValidationError as e:
        out["errors"] = [[err.messages[0], err.code] for err in e.error_list]
    return out


def ranges(cps):
    out = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def tables():
    word = re.compile(r"\w")
    cps = [cp for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    lower = {}
    for cp in cps:
        low = chr(cp).lower()
        if low != chr(cp):
            lower[str(cp)] = low
    return {
        "unidata_version": unicodedata.unidata_version,
        "assigned": ranges(cp for cp in cps if unicodedata.category(chr(cp)) != "Cn"),
        "isdigit": ranges(cp for cp in cps if chr(cp).isdigit()),
        "word": ranges(cp for cp in cps if word.match(chr(cp))),
        "isspace": ranges(cp for cp in cps if chr(cp).isspace()),
        "lower": lower,
        # Final-sigma probes: is the sigma lower-cased to U+03C2 in
        # "A" + c + "Σ" (c case-ignorable or cased) and c + "Σ" (c cased
        # and not case-ignorable)?
        "sigma_between": ranges(cp for cp in cps if ("A" + chr(cp) + "\u03a3").lower()[-1] == "\u03c2"),
        "sigma_after": ranges(cp for cp in cps if (chr(cp) + "\u03a3").lower()[-1] == "\u03c2"),
    }


def main():
    req = json.load(sys.stdin)
    resp = {"django_version": django.get_version()}
    with tempfile.TemporaryDirectory() as tmpdir:
        resp["cases"] = [run_case(c, tmpdir) for c in req.get("cases", [])]
    resp["ratios"] = [
        difflib.SequenceMatcher(a=a, b=b).quick_ratio() for a, b in req.get("ratios", [])
    ]
    resp["lower"] = [s.lower() for s in req.get("lower", [])]
    resp["strip"] = [s.strip() for s in req.get("strip", [])]
    resp["split"] = [re.split(r"\W+", s) for s in req.get("split", [])]
    resp["isdigit"] = [s.isdigit() for s in req.get("isdigit", [])]
    resp["common_count"] = len(default_common_validator().passwords)
    if req.get("tables"):
        resp["tables"] = tables()
    json.dump(resp, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
