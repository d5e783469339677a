// Package usersessions lists the live sessions of a user and ends one of
// them, as django-user-sessions does with a user column: the account
// page's "where you are logged in" with a "Log out" button per session.
//
// Session.Save tells the backend whose session it saves
// (sessions.Record.UserID, and the login's client, Record.UserAgent and
// Record.IP, which sessions.LoginEndpoint records with
// Session.SetClient); a backend that indexes sessions by it implements
// [Lister]: memory.SessionBackend, sqlstore's DatabaseSessionBackend (a
// table of its own beside Django's django_session) and redisstore's
// SessionBackend (a sorted set per user). A cookie backend cannot, the
// sessions being in the clients; a wrapper (compression, tenants) does
// not pass it on.
//
// A listed session is named by its [Handle], a hash of its storage key:
// nothing a page shows can be turned back into the session key.
package usersessions
