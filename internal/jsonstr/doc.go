// Package jsonstr reads JSON string literals (RFC 8259 section 7) the way
// encoding/json does, in one pass over their bytes: Unquote decodes one,
// ContentValid checks one, NeedsEscape says whether encoding/json's
// encoder would escape a string. The request-body decoding of the core
// uses them to take a long string value (a megabyte's password) out of a
// body without encoding/json scanning it twice; each is held to
// encoding/json by a fuzz target.
package jsonstr
