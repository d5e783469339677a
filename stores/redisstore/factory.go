package redisstore

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/registry"
)

// SessionFactory is a registry.BackendFactory: register it for "redis"
// (and "rediss", "unix") on a registry.Registry. A spec
// "redis://[user:password@]host:port/db" makes a client with Open, which
// the backend's Close closes; a "prefix" query parameter sets the key
// prefix ("redis://cache:6379/0?prefix=myapp:"), and every other
// parameter is go-redis's. The bare spec "redis" uses the
// redis.UniversalClient given with registry.WithDependency (how Sentinel
// and Cluster clients come in); the caller keeps owning that one.
//
// It does not contact Redis: a Redis that is down fails requests (closed),
// not the start of the program.
func SessionFactory(_ context.Context, cfg *registry.OpenConfig) (sessions.SessionBackend, error) {
	if cfg.URL == nil {
		c, ok := registry.Dependency[redis.UniversalClient](cfg)
		if !ok || c == nil {
			return nil, errors.New(`redisstore: the spec "redis" needs a redis.UniversalClient (registry.WithDependency); or give a redis:// URL`)
		}
		return NewSessionBackend(c), nil
	}
	spec := cfg.Spec
	var opts []Option
	if q := cfg.URL.Query(); q.Has("prefix") {
		opts = append(opts, WithPrefix(q.Get("prefix")))
		q.Del("prefix")
		u := *cfg.URL
		u.RawQuery = q.Encode()
		spec = u.String()
	}
	c, err := Open(strings.TrimSpace(spec))
	if err != nil {
		return nil, err
	}
	b := NewSessionBackend(c, opts...)
	b.owned = c
	return b, nil
}
