// Package extratest holds the helpers the tests of the optional session
// packages share (compression, replication, tenants, Prometheus). It is
// apart from sessiontest so that the tests of core/sessions itself import
// none of the optional packages' libraries: a program's go.sum records
// what the tests of the packages it imports need.
package extratest
