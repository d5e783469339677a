package sqlstore

import "context"

// Ping checks that the database answers on the read-write pool (the pool
// every write and every login goes through), within ctx. An error wraps
// core.ErrStoreUnavailable. Store is thereby a readiness.Checker, the
// showcase's "database" in GET /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.fail(ctx, "ping", err)
	}
	return nil
}
