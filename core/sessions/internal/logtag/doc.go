// Package logtag names sessions in logs and errors without revealing
// them. It is internal to core/sessions and its subpackages.
package logtag
