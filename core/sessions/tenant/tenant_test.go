package tenant_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
	"github.com/reinhardt-go/auth/core/sessions/compress"
	"github.com/reinhardt-go/auth/core/sessions/instrumented"
	"github.com/reinhardt-go/auth/core/sessions/internal/extratest"
	"github.com/reinhardt-go/auth/core/sessions/internal/sessiontest"
	"github.com/reinhardt-go/auth/core/sessions/tenant"
	"github.com/reinhardt-go/auth/stores/storetest"
)

// TestTenantConformance runs the suite in a default tenant (the suite's
// context names none) over a server-side and a cookie backend.
func TestTenantConformance(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{{Name: "memory", Open: sessiontest.OpenMemory}, {Name: "cookie", Open: sessiontest.OpenCookie}, {Name: "zstd(memory)", Open: extratest.Compressed(compress.Zstd, 0, sessiontest.OpenMemory)}} {
		t.Run(bc.Name, func(t *testing.T) {
			t.Parallel()
			storetest.TestSessionBackend(t, func(t *testing.T) sessions.SessionBackend {
				return extratest.NewTenant(t, bc.Open(t, nil), tenant.Config{DefaultTenant: "default"})
			})
		})
	}
}

// TestTenantIsolation: a session id of tenant A never loads, saves over
// or deletes anything in tenant B, on server-side and cookie backends.
func TestTenantIsolation(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{{Name: "memory", Open: sessiontest.OpenMemory}, {Name: "cookie", Open: sessiontest.OpenCookie}} {
		t.Run(bc.Name, func(t *testing.T) {
			b := extratest.NewTenant(t, bc.Open(t, nil), tenant.Config{})
			ctxA := tenant.NewContext(context.Background(), "acme")
			ctxB := tenant.NewContext(context.Background(), "globex")
			key := sessions.GenerateKey()
			idA, err := sessions.SaveRecord(ctxA, b, key, sessiontest.Rec("acme's", 0))
			if err != nil {
				t.Fatal(err)
			}
			if r, found, err := b.Load(ctxB, idA); found || err != nil || r.Data != nil {
				t.Errorf("acme's session in globex: %v, %v", found, err)
			}
			if ok, err := b.Exists(ctxB, idA); ok || err != nil {
				t.Errorf("Exists in globex = %v, %v", ok, err)
			}
			if err := b.Delete(ctxB, idA); err != nil {
				t.Fatal(err)
			}
			if got := sessiontest.MustLoad(t, ctxA, b, idA); string(got.Data) != "acme's" {
				t.Errorf("acme's session = %q after globex deleted its id", got.Data)
			}
			// The same key in globex is another session.
			idB, err := sessions.SaveRecord(ctxB, b, key, sessiontest.Rec("globex's", 0))
			if err != nil {
				t.Fatalf("the same key in another tenant: %v", err)
			}
			if got := sessiontest.MustLoad(t, ctxB, b, idB); string(got.Data) != "globex's" {
				t.Errorf("globex = %q", got.Data)
			}
			if got := sessiontest.MustLoad(t, ctxA, b, idA); string(got.Data) != "acme's" {
				t.Errorf("acme = %q", got.Data)
			}

			// Strict: no tenant, no session — an error, not a shared
			// namespace.
			_, _, err = b.Load(context.Background(), idA)
			if !errors.Is(err, tenant.ErrRequired) {
				t.Errorf("Load without a tenant = %v", err)
			}
			if status, body := renderedErr(err); status != 400 || body != `{"detail":"A tenant is required."}` {
				t.Errorf("rendered %d %s", status, body)
			}
			for _, bad := range []string{"", "a:b", "a b", "tenant{x}", strings.Repeat("a", 129), "é"} {
				if _, _, err := b.Load(tenant.NewContext(context.Background(), bad), idA); bad != "" && !errors.Is(err, tenant.ErrInvalid) {
					t.Errorf("tenant %q: %v", bad, err)
				}
			}
			if _, err := sessions.SaveRecord(context.Background(), b, sessions.GenerateKey(), sessiontest.Rec("x", 0)); !errors.Is(err, tenant.ErrRequired) {
				t.Errorf("Save without a tenant = %v", err)
			}
		})
	}
}

func renderedErr(err error) (int, string) {
	w := httptest.NewRecorder()
	_ = core.WriteError(core.NewHTTPResponse(w), err, "")
	return w.Code, w.Body.String()
}

// TestTenantKeys: sessions are stored under the pattern, with the storage
// hash, never the key.
func TestTenantKeys(t *testing.T) {
	for pattern, prefix := range map[string]string{
		"":                              "tenant:acme:session:",
		"{tenant_id}/sess/{session_id}": "acme/sess/",
		"s-{tenant_id}{session_id}":     "s-acme",
	} {
		inner := sessiontest.NewMemory(t)
		b := extratest.NewTenant(t, inner, tenant.Config{Pattern: pattern})
		ctx := tenant.NewContext(context.Background(), "acme")
		id := sessions.GenerateKey()
		if err := b.Save(ctx, id, sessiontest.Rec("x", 0)); err != nil {
			t.Fatal(err)
		}
		var keys []string
		_ = inner.Range(context.Background(), func(k string, _ sessions.Record) bool { keys = append(keys, k); return true })
		want := prefix + sessions.StorageKey(context.Background(), id)
		if len(keys) != 1 || keys[0] != want || b.Namespace("acme") != prefix {
			t.Errorf("pattern %q: stored %q; want %q", pattern, keys, want)
		}
	}
	for _, bad := range []string{"tenant:{tenant_id}", "{session_id}:{tenant_id}", "{tenant_id}{tenant_id}{session_id}", "{x}{tenant_id}{session_id}"} {
		if _, err := tenant.New(sessiontest.NewMemory(t), tenant.Config{Pattern: bad}); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
	if _, err := tenant.New(sessiontest.NewMemory(t), tenant.Config{DefaultTenant: "a:b"}); err == nil {
		t.Error("an invalid default tenant was accepted")
	}
	if _, err := tenant.New(nil, tenant.Config{}); err == nil {
		t.Error("a nil backend was accepted")
	}
}

// TestTenantIDPrefixes: a tenant whose id starts with another's sees none
// of its sessions, even with a pattern that puts nothing between the
// tenant and the hash.
func TestTenantIDPrefixes(t *testing.T) {
	b := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{Pattern: "t{tenant_id}{session_id}"})
	for _, id := range []string{"a", "ab", "abc"} {
		ctx := tenant.NewContext(context.Background(), id)
		for range 2 {
			if err := b.Save(ctx, sessions.GenerateKey(), sessiontest.Rec(id, 0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tenant := range []string{"a", "ab", "abc"} {
		list, err := b.ListSessions(context.Background(), tenant)
		if err != nil || len(list) != 2 {
			t.Errorf("tenant %s lists %d sessions (%v)", tenant, len(list), err)
		}
	}
}

func TestTenantCap(t *testing.T) {
	ctx := context.Background()
	b := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{MaxSessionsPerTenant: 3})
	ctxA := tenant.NewContext(ctx, "acme")
	var ids []sessions.SessionID
	for range 3 {
		id := sessions.GenerateKey()
		ids = append(ids, id)
		if err := b.Save(ctxA, id, sessiontest.Rec("x", 0)); err != nil {
			t.Fatal(err)
		}
	}
	err := b.Save(ctxA, sessions.GenerateKey(), sessiontest.Rec("x", 0))
	if !errors.Is(err, tenant.ErrTooManySessions) {
		t.Fatalf("the 4th session: %v", err)
	}
	if status, body := renderedErr(err); status != 403 || body != `{"detail":"Too many sessions for this tenant."}` {
		t.Errorf("rendered %d %s", status, body)
	}
	// Existing sessions still save; other tenants are not affected.
	if err := b.Save(ctxA, ids[0], sessiontest.Rec("y", 1)); err != nil {
		t.Error(err)
	}
	if err := b.Save(tenant.NewContext(ctx, "globex"), sessions.GenerateKey(), sessiontest.Rec("x", 0)); err != nil {
		t.Error(err)
	}
	// A session ended frees its place.
	_ = b.Delete(ctxA, ids[1])
	if err := b.Save(ctxA, sessions.GenerateKey(), sessiontest.Rec("x", 0)); err != nil {
		t.Error(err)
	}

	// Racing creations: exactly the free places are taken.
	b2 := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{MaxSessionsPerTenant: 5})
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			switch err := b2.Save(ctxA, sessions.GenerateKey(), sessiontest.Rec("x", 0)); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, tenant.ErrTooManySessions):
				refused.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 5 || refused.Load() != 35 {
		t.Errorf("%d created, %d refused; want 5 and 35", ok.Load(), refused.Load())
	}

	// A cap needs a Lister.
	b3 := extratest.NewTenant(t, sessiontest.Plain{SessionBackend: sessiontest.NewMemory(t)}, tenant.Config{MaxSessionsPerTenant: 1})
	if err := b3.Save(ctxA, sessions.GenerateKey(), sessiontest.Rec("x", 0)); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("a cap over a backend without Range: %v", err)
	}
}

// TestTenantOperations: list, count and delete every session of one
// tenant, over the memory backend and wrappers.
func TestTenantOperations(t *testing.T) {
	for _, bc := range []sessiontest.BackendCase{
		{Name: "memory", Open: sessiontest.OpenMemory},
		{Name: "zstd(memory)", Open: extratest.Compressed(compress.Zstd, 0, sessiontest.OpenMemory)},
		{Name: "instrumented(memory)", Open: func(t testing.TB, now func() time.Time) sessions.SessionBackend {
			return instrumented.New(sessiontest.OpenMemory(t, now))
		}},
	} {
		t.Run(bc.Name, func(t *testing.T) {
			ctx := context.Background()
			b := extratest.NewTenant(t, bc.Open(t, nil), tenant.Config{})
			var ops tenant.Operations = b
			idsA := map[sessions.SessionID]bool{}
			for range 4 {
				id := sessions.GenerateKey()
				idsA[id] = true
				if err := b.Save(tenant.NewContext(ctx, "acme"), id, sessiontest.Rec("0123456789", 0)); err != nil {
					t.Fatal(err)
				}
			}
			idB := sessions.GenerateKey()
			if err := b.Save(tenant.NewContext(ctx, "globex"), idB, sessiontest.Rec("b", 0)); err != nil {
				t.Fatal(err)
			}
			list, err := ops.ListSessions(ctx, "acme")
			if err != nil || len(list) != 4 {
				t.Fatalf("ListSessions = %d, %v", len(list), err)
			}
			for _, s := range list {
				if !strings.HasPrefix(s.StorageKey, "tenant:acme:session:") || s.Version != 1 || s.Size < 1 || s.Expiry.Before(time.Now()) {
					t.Errorf("listed %+v", s)
				}
				for id := range idsA {
					if strings.Contains(s.StorageKey, string(id)) {
						t.Error("a listed storage key holds the session key")
					}
				}
			}
			if n, err := ops.CountSessions(ctx, "globex"); n != 1 || err != nil {
				t.Errorf("CountSessions(globex) = %d, %v", n, err)
			}
			if n, err := ops.DeleteAllSessions(ctx, "acme"); n != 4 || err != nil {
				t.Errorf("DeleteAllSessions = %d, %v", n, err)
			}
			for id := range idsA {
				if ok, _ := b.Exists(tenant.NewContext(ctx, "acme"), id); ok {
					t.Error("a session survived DeleteAllSessions")
				}
			}
			if n, _ := ops.CountSessions(ctx, "acme"); n != 0 {
				t.Errorf("acme still counts %d", n)
			}
			sessiontest.MustLoad(t, tenant.NewContext(ctx, "globex"), b, idB)
			if _, err := ops.CountSessions(ctx, "a:b"); !errors.Is(err, tenant.ErrInvalid) {
				t.Errorf("CountSessions(invalid) = %v", err)
			}
			if n, err := ops.DeleteAllSessions(ctx, "nobody"); n != 0 || err != nil {
				t.Errorf("DeleteAllSessions(nobody) = %d, %v", n, err)
			}
		})
	}
	// Without Range or Import the operations say so.
	b := extratest.NewTenant(t, sessiontest.Plain{SessionBackend: sessiontest.NewMemory(t)}, tenant.Config{})
	if _, err := b.ListSessions(context.Background(), "acme"); !errors.Is(err, errors.ErrUnsupported) {
		t.Error(err)
	}
}

// TestTenantManager: the session middleware over a tenant backend; the
// tenant comes from the request (here, the host name).
func TestTenantManager(t *testing.T) {
	b := extratest.NewTenant(t, sessiontest.NewMemory(t), tenant.Config{})
	m := sessions.NewManager(b)
	app := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions.FromContext(r.Context())
		if r.Method == "POST" {
			s.Set("user", "alice")
		}
		user, _ := sessions.GetAs[string](s, "user")
		_, _ = w.Write([]byte(user))
	}))
	tenantByHost := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _, _ := strings.Cut(r.Host, ".")
			next.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), id)))
		})
	}
	h := tenantByHost(app)
	do := func(method, host, cookie string) (*http.Response, string) {
		r := httptest.NewRequest(method, "https://"+host+"/", nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result(), w.Body.String()
	}
	res, _ := do("POST", "acme.example.com", "")
	cookie := res.Cookies()[0].Value
	if _, body := do("GET", "acme.example.com", cookie); body != "alice" {
		t.Errorf("acme with its cookie: %q", body)
	}
	if _, body := do("GET", "globex.example.com", cookie); body != "" {
		t.Errorf("globex with acme's cookie: %q", body)
	}
	// Without a tenant, the strict backend fails the request.
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != 400 {
		t.Errorf("no tenant: %d %s", w.Code, w.Body)
	}
}

// keyDeleter is a backend that deletes by storage key.
type keyDeleter struct {
	*sessiontest.Flaky
	deleted []string
}

func (k *keyDeleter) DeleteStorageKey(ctx context.Context, key string) error {
	k.deleted = append(k.deleted, key)
	var rec sessions.Record
	found := false
	_ = k.Range(context.Background(), func(sk string, r sessions.Record) bool {
		if sk == key {
			rec, found = r, true
		}
		return true
	})
	if !found {
		return nil
	}
	return k.Import(ctx, key, sessions.Record{Expiry: time.Unix(0, 0), Version: rec.Version})
}

func TestTenantDeleteByStorageKey(t *testing.T) {
	ctx := context.Background()
	kd := &keyDeleter{Flaky: sessiontest.NewFlaky(t)}
	b := extratest.NewTenant(t, kd, tenant.Config{})
	for range 3 {
		_ = b.Save(tenant.NewContext(ctx, "acme"), sessions.GenerateKey(), sessiontest.Rec("x", 0))
	}
	if n, err := b.DeleteAllSessions(ctx, "acme"); n != 3 || err != nil || len(kd.deleted) != 3 {
		t.Errorf("DeleteAllSessions = %d, %v; %d through DeleteStorageKey", n, err, len(kd.deleted))
	}
	// A backend that can list but neither delete by key nor import.
	type listOnly struct {
		sessions.SessionBackend
		sessions.Lister
	}
	m := sessiontest.NewMemory(t)
	lo := extratest.NewTenant(t, listOnly{m, m}, tenant.Config{})
	_ = lo.Save(tenant.NewContext(ctx, "acme"), sessions.GenerateKey(), sessiontest.Rec("x", 0))
	if _, err := lo.DeleteAllSessions(ctx, "acme"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("DeleteAllSessions without a way to delete: %v", err)
	}
	// Store failures are returned.
	_ = b.Save(tenant.NewContext(ctx, "acme"), sessions.GenerateKey(), sessiontest.Rec("x", 0))
	kd.Down.Store(true)
	if err := b.Delete(tenant.NewContext(ctx, "acme"), sessions.GenerateKey()); !errors.Is(err, core.ErrStoreUnavailable) {
		t.Errorf("Delete = %v", err)
	}
	if _, err := b.Exists(ctx, sessions.GenerateKey()); !errors.Is(err, tenant.ErrRequired) {
		t.Errorf("Exists without a tenant = %v", err)
	}
}
