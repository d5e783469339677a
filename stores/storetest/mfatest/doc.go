// Package mfatest is the conformance suite of core/mfa's Store: memory,
// SQLite and PostgreSQL run it (TestMFAStore). It is apart from
// stores/storetest because core/mfa depends on github.com/pquerna/otp,
// which the suites of the session packages must not pull in.
package mfatest
