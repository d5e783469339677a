// Package doclint holds the repository's documentation checks, which its
// tests run on the repository itself (so `make test` fails when one does
// not hold):
//
//   - [CheckSource] and [CheckDocs]: every exported identifier has a doc
//     comment — a function, a method of an exported type, a type, a
//     constant or a variable (a documented const or var group covers its
//     members; a trailing line comment covers its line) — and every
//     package has a doc.go with the package comment;
//   - [ProofNames] and [DeclaredTests]: every test, Example, fuzz target
//     or benchmark the proof column of docs/feature-map.md names is
//     declared somewhere in the repository;
//   - [FindReferences]: no file refers to a path outside the repository
//     (the documents a user who clones it does not have).
//   - [CheckLeakVerification]: every package with tests verifies in its
//     TestMain, with go.uber.org/goleak, that its tests leave no goroutine
//     running.
//
// Test files, testdata directories, hidden directories and nested modules
// (bench/, which has its own go.mod) are not checked for doc comments.
package doclint
