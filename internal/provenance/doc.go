// Package provenance checks that every data file of the repository has a
// recorded source and licence.
//
// A data file is any file under a directory named testdata, and any file a
// Go source embeds with a //go:embed directive. The record is the manifest
// DATA-SOURCES.md at the repository root: a Markdown table whose rows are
//
//	| `pattern` | source | licence |
//
// A pattern is a slash-separated path from the repository root; a segment
// may use path.Match's wildcards, and a segment "**" stands for any number
// of segments (zero included), so "**/testdata/fuzz/**" covers every fuzz
// corpus. Both the source and the licence must be non-empty.
//
// [Check] reports the data files no pattern covers and the patterns that
// cover no data file (a stale row). The package's test runs it on the
// repository, so `go test ./...` fails, listing the files, when a data file
// is added without its row.
package provenance
