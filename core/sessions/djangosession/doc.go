// Package djangosession reads and writes Django's session data: the
// session_data column of the django_session table (and the values of
// Django's cache and file session backends), in Django 3.2's format and
// in the format of Django before 3.1, so that a session backend on a
// database Django shares can resume the sessions Django made and Django
// the ones made here.
//
// Codec.Encode writes Django's signing.dumps(session,
// salt="django.contrib.sessions.SessionStore", compress=True) — JSON,
// zlib-compressed when that is shorter, URL-safe base64, a base-62
// timestamp and an HMAC-SHA256 signature (core/signing). Codec.Decode
// reads that (SHA-1 signatures too, as Django 3.2 does) and the pre-3.1
// format, base64("<hex SHA-1 salted_hmac('django.contrib.sessionsSessionStore',
// json)>:<json>"). A session is the bytes of its JSON object: what
// sessions.JSON stores. Django's SECRET_KEY_FALLBACKS are
// WithFallbackKeys; a project whose session store class has another name
// sets WithClassName; WithLegacyEncoding writes the old format, as Django
// 3.2 does with DEFAULT_HASHING_ALGORITHM = 'sha1'.
//
// Defaults: the class name SessionStore (every Django backend's), the
// new format, and a bound of sessions.MaxDataSize (1 MiB) on what a
// session may inflate to. Data that fails to decode is ErrCorrupt, never a
// panic; Django logs it and starts an empty session, and so should the
// caller. The signature's age is not checked, as Django does not: a
// session's expiry is the expire_date column's.
//
// This package is the data format, and BackendName, the name Django's
// login keys give its ModelBackend (the login keys themselves are
// sessions.SessionKey, BackendSessionKey and HashSessionKey, which
// sessions.SessionAuthentication writes as Django does). The backend on
// Django's django_session table is stores/sqlstore's DjangoSessionBackend.
package djangosession
