// Package filestore keeps sessions in files: [FileSessionBackend], the
// reference's FileSessionBackend, a sessions.SessionBackend that is also a
// sessions.Cleaner, sessions.Lister and sessions.Importer.
//
// One directory holds one file per session, named from
// sessions.StorageKey ("s_" and the 40 hex characters of the key's hash;
// keys with a namespace, which may hold any character, are hashed again
// into "h_" and 64 hex characters, and the file keeps the full storage
// key). The session key a client holds is never written anywhere. Files
// are mode 0600 in a directory of mode 0700 that the backend refuses if
// another user owns it or others may write to it.
//
// Each save writes a temporary file in the same directory, fsyncs it,
// renames it over the session's file and fsyncs the directory, so a
// reader sees the old session or the new one, never a mix, and a save or
// delete that returned survives a crash. Versions are compared under an
// exclusive flock(2), taken per session (64 lock files stripe the
// sessions), so several processes sharing the directory on one machine
// keep sessions.SessionBackend's contract: two writers of one version
// never both succeed, and a logout is never undone by a request still
// running. Expired files are removed when read and by CleanupExpired
// (what `authctl clearsessions` calls). A file is read only up to
// MaxFileSize.
//
// Platforms: Linux, macOS and the BSDs (flock through package syscall).
// The directory must be on a local file system: flock is not reliable
// over NFS. On other systems NewFileSessionBackend fails with
// errors.ErrUnsupported.
//
//	b, err := filestore.NewFileSessionBackend("/var/lib/myapp/sessions")
//	if err != nil { ... }
//	defer b.Close()
//	m := sessions.NewManager(b)
//
// [SessionFactory] opens it by spec ("file:/var/lib/myapp/sessions") from
// a registry.Registry. NewFileSessionBackend("") uses DefaultDir, /tmp/reinhardt_sessions as in
// the reference; give it a directory of the application's own instead.
package filestore
