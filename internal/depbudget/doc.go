// Package depbudget checks the dependency budget: for every public
// package of the module, the third-party modules its (non-test) imports
// come from must be exactly those testdata/budget.txt allows, so that an
// accidental import of Prometheus into core/sessions, or of Echo into the
// Gin adapter, fails `make test`. Its test also keeps the budget table in
// docs/architecture.md in step with the file.
//
// It is internal: a test tool of this repository, not part of the
// library.
package depbudget
