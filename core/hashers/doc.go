// Package hashers implements Django-compatible password hashing: the
// encoded formats, verification rules and upgrade semantics of
// django.contrib.auth.hashers, so that password hashes can move between a
// Django application and this library in both directions.
//
// # What lives here
//
//   - PasswordHasher, the interface every hasher implements, and the
//     optional SaltedHasher (Django's encode with a fixed salt) and
//     RuntimeHardener (Django's harden_runtime).
//   - The hashers, one per Django algorithm name:
//     Argon2Hasher ("argon2"), PBKDF2Hasher ("pbkdf2_sha256" and
//     "pbkdf2_sha1"), BcryptSHA256Hasher ("bcrypt_sha256"), BcryptHasher
//     ("bcrypt"), ScryptHasher ("scrypt"), and the legacy MD5Hasher ("md5"),
//     SHA1Hasher ("sha1"), UnsaltedMD5Hasher ("unsalted_md5") and
//     UnsaltedSHA1Hasher ("unsalted_sha1"). The sha1 and unsalted hashers are
//     verify-only (ErrVerifyOnly).
//   - Registry, the equivalent of the PASSWORD_HASHERS setting: Identify
//     (identify_hasher), MakePassword, VerifyPassword (verify_password),
//     CheckPassword (check_password with its setter), SimulateCheck and
//     SetSimulation, and Default, the process-wide registry.
//   - MakeUnusablePassword and IsPasswordUsable.
//   - Limits, which cap the work factors read from stored hashes, and
//     Limiter, which bounds the hashing work that runs at once: a number of
//     slots (CPU) and a memory budget (memory-hard argon2 and scrypt).
//
// # Defaults
//
// Default prefers Argon2id with t=2, m=19456 KiB (19 MiB), p=1 and a 32-byte
// tag, and verifies every other format. PBKDF2 uses Django 6.1's 1,500,000
// iterations, bcrypt cost 12, scrypt N=16384, r=8, p=5 (Django 5.1+). Salts
// are Django's: 22 characters of [a-zA-Z0-9] from crypto/rand (at least 128
// bits), used as their ASCII bytes. Limits default to argon2 m <= 256 MiB,
// t <= 16, tag <= 1024 bytes, PBKDF2 <= 20,000,000 iterations, bcrypt cost
// <= 16 and scrypt 128*N*r <= 256 MiB; a stored hash beyond them fails with
// ErrLimitExceeded before any memory is allocated. All of Default's hashers
// with a work factor share one Limiter: max(2, GOMAXPROCS) slots, a 256 MiB
// memory budget and a maximum wait of 5 s (then ErrBusy, as a *BusyError;
// the core renders it 503 with Retry-After: the maximum wait in seconds,
// RetryAfter). A caller that, at the mean duration of the hashes so far,
// could not start within the maximum wait gets that error at once instead
// of after waiting for it, so the excess of a burst is answered quickly.
//
// # Timing
//
// Every failure costs the time of a real check, so that timing reveals
// neither which usernames exist nor which accounts have broken hashes:
//
//   - SimulateCheck (for unknown users) and the fake runtime of
//     VerifyPassword verify against a dummy hash with the algorithm and work
//     parameters of the most recent real verification (random salt and
//     digest), so on a database of Django pbkdf2_sha256 hashes they cost
//     1,500,000 PBKDF2 iterations, not one Argon2id hash. SetSimulation pins
//     that cost from the start; before any real verification the preferred
//     hasher is used.
//   - A stored hash that cannot be verified (malformed, unsupported or over
//     the limits) runs the fake runtime before VerifyPassword and
//     CheckPassword return an error wrapping ErrUnverifiable and the cause;
//     treat it as a wrong password and log it.
//
// # Django compatibility
//
// Hashes made here verify in Django, and hashes made by Django verify here
// (tested against Django 3.2, argon2-cffi 21.1 and pyca/bcrypt 3.2, and
// against the published vectors of later Django versions):
//
//   - Encodings are byte-for-byte Django's: "argon2$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>"
//     (unpadded base64), "pbkdf2_sha256$<iterations>$<salt>$<hash>" and
//     "scrypt$<n>$<salt>$<r>$<p>$<hash>" (padded base64),
//     "bcrypt_sha256$$2b$12$..." (bcrypt over the lower-case hex of
//     SHA-256(password)), "md5$<salt>$<hex>".
//   - Identify follows identify_hasher's order: a 32-character string without
//     '$' or a 37-character "md5$$..." is unsalted_md5, a 46-character
//     "sha1$$..." is unsalted_sha1, anything else is named by the text before
//     its first '$'. Unknown algorithms produce Django's message.
//   - VerifyPassword and CheckPassword follow Django 6.1: unusable or
//     unidentifiable encodings cost as much as a real check and return
//     false; a wrong password never triggers the upgrade setter; a wrong
//     password against an older hash of the preferred algorithm runs
//     HardenRuntime.
//   - The empty string is a valid password; "" is a usable encoding (that
//     never verifies); only encodings starting with "!" are unusable.
//
// # Deliberate differences from Django
//
//   - MustUpdate upgrades only weaker hashes. Django re-hashes whenever a
//     parameter differs from its settings; here argon2 re-hashes when m, t
//     or the tag length is lower, or the type or version differ (the number
//     of lanes is ignored), PBKDF2 when it has fewer iterations, bcrypt when
//     its cost is lower, scrypt when n, r or p is lower. A hash made by
//     Django with m=102400,t=2,p=8 is therefore kept, not "upgraded" down to
//     19 MiB. The salt-entropy rule (fewer than 22 salt characters means
//     re-hash) is Django's.
//   - argon2d hashes and version-16 argon2 hashes (the pre-2016 form written
//     without "v=") are refused with ErrUnsupported: golang.org/x/crypto/argon2
//     implements only Argon2i and Argon2id at version 0x13. Django has never
//     produced either by default.
//   - bcrypt refuses passwords longer than 72 bytes (as pyca/bcrypt 5 does)
//     instead of truncating them (pyca/bcrypt 4 and earlier). The bcrypt
//     hashers cannot encode with a chosen salt (golang.org/x/crypto/bcrypt
//     has no such API), so they do not implement SaltedHasher.
//   - Stored parameters are capped by Limits; Django trusts its database.
//   - Malformed encodings are errors wrapping ErrMalformedHash (Django raises
//     assorted exceptions), never panics. Through a Registry they also wrap
//     ErrUnverifiable and cost the time of a real check, where Django fails
//     at once.
//   - The fake runtime mirrors the stored hashes (see Timing); Django's
//     always makes one hash with the preferred hasher.
package hashers
