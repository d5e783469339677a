// Package mfastore is the storage contract of core/mfa: the Store
// interface its enrollments are kept behind, the Record it keeps and the
// errors a store returns. It imports nothing beyond the standard library,
// so that a store implementation (stores/sqlstore's MFAStore) costs its
// users no TOTP or QR-code library; package mfa names the same types
// (mfa.Store, mfa.Record), as os names io/fs's.
package mfastore
