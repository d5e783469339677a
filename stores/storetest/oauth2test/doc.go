// Package oauth2test is the conformance suite of core/oauth2's Store
// (oauth2store.Store): every implementation runs TestStore, in the manner
// of testing/fstest.TestFS. It imports only the store contract and core,
// not the provider.
package oauth2test
