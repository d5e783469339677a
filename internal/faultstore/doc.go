// Package faultstore wraps every store interface of the library so that a
// test can make any one method pass, fail, stall or return garbage while a
// real server runs over the wrapped stores.
//
// One [Switch] holds the mode of each method, by the name "Kind.Method"
// (for example "Sessions.Load", "Refresh.Consume", "Users.UserByID"),
// and counts the calls. The wrappers — [Users], [Sessions] (with
// [ListingSessions] through [WrapSessions]), [Tokens]
// (blacklist and refresh store), [Throttle], [MFA] and [OAuth2] — are one
// line per method over one generic mechanism (the functions call and
// call0), with a garbage function per result type:
//
//   - [Pass] calls the wrapped store.
//   - [Fail] returns an error wrapping core.ErrStoreUnavailable, as a
//     store that cannot be reached does, without calling the store.
//   - [Stall] blocks until the call's context is done, then fails as a
//     store that timed out does: a request then ends at its deadline.
//   - [Garbage] calls the store and returns a wrong but well-typed
//     result, what a buggy store could return: a user with another id, a
//     record of another key (another token hash, family, user), an
//     expired record, "allowed" from a throttle, success from a write that
//     wrote nothing, zero values.
//
// It is test support: nothing outside tests imports it.
package faultstore
