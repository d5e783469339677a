// Package validators ports Django's password validators
// (django.contrib.auth.password_validation) with Django's exact English
// messages and error codes.
//
// The four built-in validators:
//
//   - [UserAttributeSimilarityValidator]: the password must not be too
//     similar to the username, first name, last name or e-mail address
//     (code password_too_similar, "The password is too similar to the
//     username.").
//   - [MinimumLengthValidator]: at least 8 characters by default (code
//     password_too_short, "This password is too short. It must contain at
//     least 8 characters.").
//   - [CommonPasswordValidator]: not one of 20,000 common passwords,
//     Django's list and a few more (code password_too_common, "This
//     password is too common.").
//   - [NumericPasswordValidator]: not entirely numeric (code
//     password_entirely_numeric, "This password is entirely numeric.").
//
// [Validate] is Django's validate_password: it runs a list of validators and
// returns nil or one [*ValidationError] listing every failure, in order.
// [DefaultValidators] returns the four with Django's defaults, in the order
// django-admin startproject configures them, and [HelpTexts] gives the help
// texts to show next to a password field. A registration handler needs no
// user object:
//
//	err := validators.Validate(password,
//		validators.Attrs{"username": username, "email": email},
//		validators.DefaultValidators()...)
//
// # Fidelity
//
// The validators run Django's algorithms on code points, as Python does:
// lengths are rune counts, lower-casing is Python's str.lower (including
// "İ" → "i̇" and the final-sigma rule), stripping is str.strip, "numeric" is
// str.isdigit (so "١٢٣٤٥٦٧٨" and "²³" are numeric), the similarity check
// splits attribute values with re.split(r"\W+") using Python's Unicode \w
// (letters, numbers and '_', but not combining marks) and compares them
// with a bit-exact port of difflib.SequenceMatcher.quick_ratio. The tests
// compare all of this against Django and CPython when they are installed.
// Character properties come from Go's unicode package (Unicode 15.0.0),
// which matches Python 3.12; older Pythons differ only on code points
// that later Unicode versions assigned. Invalid UTF-8 is read as one
// U+FFFD per bad byte, the way ranging over a Go string reads it.
//
// The algorithms and messages are Django 6.1's, which for these validators
// are those of Django 3.2.25 (the version the tests run against):
// UserAttributeSimilarity rejects a max_similarity below 0.1 and skips
// attribute values too short relative to the password to be similar (a
// shortcut that never changes the outcome), and Django 5.0 moved the
// messages into get_error_message() and get_help_text() without changing
// the English. The one difference is the data. The embedded password list
// holds 20,000 distinct entries: all 19,727 of Django 3.2's list, in
// Django's order, then the 273 most common passwords of zxcvbn 4.4.2's
// list (the npm package's 30,000 passwords from Mark Burnett's Xato 10M
// corpus, ranked by frequency) that Django's lacks, in rank order, from
// "razz" to "footbal".
// So the validator refuses everything Django 3.2 refuses, plus those 273.
// Django 4.2 replaced its list and Django 5.2 decoded its hex-encoded
// entries and removed duplicates, so newer Djangos judge some passwords
// differently again (for example "asdfjkl:" is in Django 6.1's list and
// not in this one). To match a given Django exactly, set
// [CommonPasswordValidator.PasswordList] to the contents of its
// django/contrib/auth/common-passwords.txt.gz.
//
// # State
//
// The package keeps no mutable package-level state: its only package-level
// variables are the [ErrInvalidMaxSimilarity] sentinel, the embedded
// password list and the sync.OnceValues that decodes it. The list is
// embedded gzip-compressed, as common-passwords.txt.gz, one password per
// line (see NOTICE for its two sources and their BSD-3-Clause and MIT
// licenses; testdata/make_common_passwords.go rebuilds it from them); it
// is decompressed lazily, once per process, into a set that is never
// written afterwards and that all [CommonPasswordValidator] values using the
// default list share (about 4 ms and 1.4 MB, once). A validator given its
// own PasswordList decodes it once, on first use, with its own sync.Once.
// All validators are safe for concurrent use.
package validators
