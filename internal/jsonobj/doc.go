// Package jsonobj walks the members of a JSON object as encoding/json
// reads them (names unescaped, in document order, duplicates included),
// for the checks the core makes on untrusted JSON before decoding it:
// exact field names in request bodies, exact claim names in JWTs.
package jsonobj
