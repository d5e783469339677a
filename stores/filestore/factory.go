package filestore

import (
	"context"
	"fmt"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/registry"
)

// SessionFactory is a registry.BackendFactory: register it for "file" on
// a registry.Registry. The spec "file:DIR" (or "file:///abs/dir") opens
// NewFileSessionBackend(DIR); "file" or "file:" alone uses DefaultDir. The
// caller closes the backend (it is an io.Closer).
func SessionFactory(_ context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
	dir := cfg.Rest
	if cfg.URL != nil {
		if h := cfg.URL.Host; h != "" && h != "localhost" {
			return nil, fmt.Errorf("filestore: %q names a host; write file:DIR or file:///abs/dir", cfg.Spec)
		}
		dir = cfg.URL.Path
	}
	return NewFileSessionBackend(dir)
}
