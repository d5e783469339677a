// Package compress is a session backend wrapper that compresses session
// data with zstd, gzip or brotli (the reference's compression feature):
//
//	backend := compress.New(redisstore.NewSessionBackend(client), compress.Zstd)
//
// [Backend] compresses data of [DefaultThreshold] bytes or more and keeps
// it compressed only when that is smaller; one header byte per record
// says how it is stored, so records of any algorithm, or none, read back,
// and turning compression on or off needs no migration. Decompression
// stops at sessions.MaxDataSize, so a crafted record cannot exhaust
// memory.
//
// It lives apart from core/sessions because it brings
// github.com/klauspost/compress and github.com/andybalholm/brotli: a
// program pays for them only when it imports this package.
package compress
