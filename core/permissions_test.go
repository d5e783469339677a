package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/reinhardt-go/auth/core"
)

// fixed is a permission with fixed answers that counts its calls.
type fixed struct {
	hp, hop   bool
	hpN, hopN int
}

func (f *fixed) HasPermission(context.Context, *core.PermissionContext) bool { f.hpN++; return f.hp }
func (f *fixed) HasObjectPermission(context.Context, *core.PermissionContext, any) bool {
	f.hopN++
	return f.hop
}

// TestCompositionTruthTable is DRF's table (rest_framework/permissions.py, DRF 3.14 and later), OR with the
// 3.14 object rule.
func TestCompositionTruthTable(t *testing.T) {
	T, F := true, false
	rows := []struct{ ahp, ahop, bhp, bhop, orHP, orHOP, andHP, andHOP, notHP, notHOP bool }{
		{T, T, T, T, T, T, T, T, F, F},
		{T, T, T, F, T, T, T, F, F, F},
		{T, T, F, T, T, T, F, T, F, F},
		{T, T, F, F, T, T, F, F, F, F},
		{T, F, T, T, T, T, T, F, F, T},
		{T, F, T, F, T, F, T, F, F, T},
		{T, F, F, T, T, F, F, F, F, T},
		{T, F, F, F, T, F, F, F, F, T},
		{F, T, T, T, T, T, F, T, T, F},
		{F, T, T, F, T, F, F, F, T, F},
		{F, T, F, T, F, F, F, T, T, F},
		{F, T, F, F, F, F, F, F, T, F},
		{F, F, T, T, T, T, F, F, T, T},
		{F, F, T, F, T, F, F, F, T, T},
		{F, F, F, T, F, F, F, F, T, T},
		{F, F, F, F, F, F, F, F, T, T},
	}
	ctx := context.Background()
	pc := core.NewPermissionContext(req("GET", "/", ""), nil)
	for i, r := range rows {
		a := &fixed{hp: r.ahp, hop: r.ahop}
		b := &fixed{hp: r.bhp, hop: r.bhop}
		or, and, not := core.Or(a, b), core.And(a, b), core.Not(a)
		got := [6]bool{
			or.HasPermission(ctx, pc), or.(core.ObjectPermission).HasObjectPermission(ctx, pc, nil),
			and.HasPermission(ctx, pc), and.(core.ObjectPermission).HasObjectPermission(ctx, pc, nil),
			not.HasPermission(ctx, pc), not.(core.ObjectPermission).HasObjectPermission(ctx, pc, nil),
		}
		want := [6]bool{r.orHP, r.orHOP, r.andHP, r.andHOP, r.notHP, r.notHOP}
		if got != want {
			t.Errorf("row %d (%v %v %v %v): got %v want %v", i+1, r.ahp, r.ahop, r.bhp, r.bhop, got, want)
		}
	}
}

func TestIsAuthenticatedOrReadOnlyTable(t *testing.T) {
	ctx := context.Background()
	user := &core.DefaultUser{ID: 1, Active: true}
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "get"} {
		safe := m == "GET" || m == "HEAD" || m == "OPTIONS"
		anon := core.NewPermissionContext(req(m, "/", ""), nil)
		authed := core.NewPermissionContext(req(m, "/", ""), &core.Identity{User: user})
		if got := (core.IsAuthenticatedOrReadOnly{}).HasPermission(ctx, anon); got != safe {
			t.Errorf("anonymous %s: %v", m, got)
		}
		if !(core.IsAuthenticatedOrReadOnly{}).HasPermission(ctx, authed) {
			t.Errorf("authenticated %s refused", m)
		}
	}
}

func TestBuiltinPermissions(t *testing.T) {
	ctx := context.Background()
	r := req("GET", "/", "")
	staff := &core.DefaultUser{ID: 1, Active: true, Staff: true}
	inactive := &core.DefaultUser{ID: 2, Active: false}
	editor := &core.DefaultUser{ID: 3, Active: true, Groups: []core.Group{{Name: "editors", Permissions: []string{"blog.change_post"}}}}
	simple := &core.SimpleUser{ID: "x", Active: true}
	cases := []struct {
		p    core.Permission
		u    core.User
		want bool
	}{
		{core.AllowAny{}, nil, true},
		{core.IsAuthenticated{}, nil, false},
		{core.IsAuthenticated{}, inactive, true}, // DRF does not look at is_active
		{core.IsAdminUser{}, staff, true},
		{core.IsAdminUser{}, editor, false},
		{core.IsAdminUser{}, nil, false},
		{core.IsActiveUser{}, inactive, false},
		{core.IsActiveUser{}, staff, true},
		{core.IsActiveUser{}, nil, false},
		{core.HasPerm{"blog.change_post"}, editor, true},
		{core.HasPerm{"blog.change_post", "blog.delete_post"}, editor, false},
		{core.HasPerm{"blog.change_post"}, staff, false},
		{core.HasPerm{"blog.change_post"}, simple, false},
		{core.HasPerm{"blog.change_post"}, nil, false},
	}
	for i, c := range cases {
		var id *core.Identity
		if c.u != nil {
			id = &core.Identity{User: c.u}
		}
		if got := c.p.HasPermission(ctx, core.NewPermissionContext(r, id)); got != c.want {
			t.Errorf("case %d %T: got %v", i, c.p, got)
		}
	}
}

func TestReferencePermissionContextLiteral(t *testing.T) {
	// The reference builds the context from flags alone.
	pc := &core.PermissionContext{Request: req("GET", "/", ""), IsAuthenticated: true, IsActive: true}
	if !(core.IsAuthenticated{}).HasPermission(context.Background(), pc) {
		t.Fatal("IsAuthenticated from flags")
	}
}

type authedWithObj struct{ core.IsAuthenticated }

func (authedWithObj) HasObjectPermission(context.Context, *core.PermissionContext, any) bool {
	return true
}

// DRF test_unimplemented_has_object_permission.
func TestOrObjectNeedsRequestCheck(t *testing.T) {
	ctx := context.Background()
	pc := core.NewPermissionContext(req("GET", "/", ""), nil)
	p := core.Or(authedWithObj{}, core.IsAdminUser{})
	if p.(core.ObjectPermission).HasObjectPermission(ctx, pc, nil) {
		t.Fatal("anonymous user passed (IsAuthenticated | IsAdminUser) object check")
	}
}

// DRF test_object_or_laziness, test_or_laziness, test_and_laziness.
func TestLaziness(t *testing.T) {
	ctx := context.Background()
	pc := core.NewPermissionContext(req("GET", "/", ""), nil)
	isAuth := &fixed{hp: false, hop: true} // as IsAuthenticated for an anonymous user
	allow := &fixed{hp: true, hop: true}
	core.Or(isAuth, allow).(core.ObjectPermission).HasObjectPermission(ctx, pc, nil)
	if isAuth.hopN != 0 || allow.hopN != 1 {
		t.Fatalf("IsAuthenticated|AllowAny object: %d %d", isAuth.hopN, allow.hopN)
	}
	isAuth, allow = &fixed{hop: true}, &fixed{hp: true, hop: true}
	core.Or(allow, isAuth).(core.ObjectPermission).HasObjectPermission(ctx, pc, nil)
	if allow.hopN != 1 || isAuth.hopN != 0 {
		t.Fatalf("AllowAny|IsAuthenticated object: %d %d", allow.hopN, isAuth.hopN)
	}
	isAuth, allow = &fixed{}, &fixed{hp: true}
	core.Or(isAuth, allow).HasPermission(ctx, pc)
	if isAuth.hpN != 1 || allow.hpN != 1 {
		t.Fatal("or laziness")
	}
	isAuth, allow = &fixed{}, &fixed{hp: true}
	core.And(isAuth, allow).HasPermission(ctx, pc)
	if allow.hpN != 0 {
		t.Fatal("and laziness: AllowAny was called")
	}
}

// DRF test_several_levels_and_precedence_with_negation.
func TestNestedPrecedence(t *testing.T) {
	ctx := context.Background()
	user := &core.DefaultUser{ID: 1, Active: true}
	pc := core.NewPermissionContext(req("GET", "/", ""), &core.Identity{User: user})
	p := core.And(core.IsAuthenticated{}, core.Not(core.IsAdminUser{}), core.IsAuthenticated{}, core.Not(core.And(core.IsAdminUser{}, core.IsAdminUser{})))
	if !p.HasPermission(ctx, pc) {
		t.Fatal("non-staff user refused")
	}
	// The pitfall: ~IsAuthenticated for anonymous passes the request check
	// but refuses every object.
	anon := core.NewPermissionContext(req("GET", "/", ""), nil)
	n := core.Not(core.IsAuthenticated{})
	if !n.HasPermission(ctx, anon) || n.(core.ObjectPermission).HasObjectPermission(ctx, anon, nil) {
		t.Fatal("~IsAuthenticated pitfall")
	}
}

func TestModelPermissions(t *testing.T) {
	ctx := context.Background()
	mp := core.NewModelPermissions("blog", "post")
	user := &core.DefaultUser{ID: 1, Active: true, UserPermissions: []string{"blog.add_post", "blog.change_post"}}
	for method, want := range map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": false, "TRACE": false} {
		pc := core.NewPermissionContext(req(method, "/", ""), &core.Identity{User: user})
		if got := mp.HasPermission(ctx, pc); got != want {
			t.Errorf("%s: %v", method, got)
		}
	}
	if p, _ := mp.PermsFor("PATCH"); len(p) != 1 || p[0] != "blog.change_post" {
		t.Errorf("PATCH perms %v", p)
	}
	anonGet := core.NewPermissionContext(req("GET", "/", ""), nil)
	if mp.HasPermission(ctx, anonGet) {
		t.Error("anonymous GET allowed without AnonReadOnly")
	}
	ro := core.NewModelPermissions("blog", "post")
	ro.AnonReadOnly = true
	if !ro.HasPermission(ctx, anonGet) || ro.HasPermission(ctx, core.NewPermissionContext(req("POST", "/", ""), nil)) {
		t.Error("AnonReadOnly")
	}
	// An unknown method is 405 for an authenticated user.
	e := core.NewEngine(core.NewHTTPBasicAuth())
	err := e.CheckPermissions(ctx, core.NewPermissionContext(req("TRACE", "/", ""), &core.Identity{User: user}), mp)
	var ae *core.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusMethodNotAllowed || ae.Detail != `Method "TRACE" not allowed.` {
		t.Fatalf("TRACE: %v", err)
	}
}

func TestBuiltinPermissionsAllocateNothing(t *testing.T) {
	ctx := context.Background()
	user := &core.DefaultUser{ID: 1, Active: true, Groups: []core.Group{{Permissions: []string{"blog.change_post"}}}}
	pc := core.NewPermissionContext(req("POST", "/", ""), &core.Identity{User: user})
	mp := core.NewModelPermissions("blog", "post")
	perms := []core.Permission{
		core.AllowAny{}, core.IsAuthenticated{}, core.IsAdminUser{}, core.IsActiveUser{},
		core.IsAuthenticatedOrReadOnly{}, core.HasPerm{"blog.change_post"}, mp,
		core.And(core.IsAuthenticated{}, core.Not(core.IsAdminUser{})), core.Or(core.IsAdminUser{}, core.HasPerm{"blog.change_post"}),
	}
	for _, p := range perms {
		if n := testing.AllocsPerRun(100, func() { p.HasPermission(ctx, pc) }); n != 0 {
			t.Errorf("%T allocates %v per check", p, n)
		}
	}
	e := core.NewEngine()
	if n := testing.AllocsPerRun(100, func() { _ = e.CheckPermissions(ctx, pc, perms[:6]...) }); n != 0 {
		t.Errorf("Engine.CheckPermissions allocates %v", n)
	}
}

// BenchmarkPermissions measures each built-in check (impl=reinhardt: the
// Permission's HasPermission on a PermissionContext, through the
// interface as the engine calls it) against its baseline (impl=inline:
// the same condition written by hand in a handler, on the concrete user
// and the *http.Request's method; called through a func value, as the
// permission is through its interface). Both run in one benchmark, so -count N
// interleaves them and their ratio comes from one run.
func BenchmarkPermissions(b *testing.B) {
	ctx := context.Background()
	user := &core.DefaultUser{ID: 1, Active: true, UserPermissions: []string{"blog.add_post"}, Groups: []core.Group{{Permissions: []string{"blog.change_post"}}}}
	r := httptest.NewRequest(http.MethodPut, "/", nil)
	pc := core.NewPermissionContext(core.NewHTTPRequest(r), &core.Identity{User: user})
	safe := func(m string) bool { return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions }
	for _, c := range []struct {
		name   string
		perm   core.Permission
		inline func() bool
	}{
		{"IsAuthenticated", core.IsAuthenticated{}, user.IsAuthenticated},
		{"IsAuthenticatedOrReadOnly", core.IsAuthenticatedOrReadOnly{}, func() bool { return safe(r.Method) || user.IsAuthenticated() }},
		{"HasPerm", core.HasPerm{"blog.change_post"}, func() bool { return user.IsAuthenticated() && user.HasPerm("blog.change_post") }},
		{"ModelPermissions", core.NewModelPermissions("blog", "post"), func() bool {
			return user.IsAuthenticated() && r.Method == http.MethodPut && user.HasPerm("blog.change_post")
		}},
		{"Or(IsAdminUser,HasPerm)", core.Or(core.IsAdminUser{}, core.HasPerm{"blog.change_post"}), func() bool {
			return user.IsAdmin() || (user.IsAuthenticated() && user.HasPerm("blog.change_post"))
		}},
	} {
		// Both sides must answer alike, and allow this user, or the
		// comparison would time different work.
		if !c.perm.HasPermission(ctx, pc) || !c.inline() {
			b.Fatalf("%s: reinhardt %v, inline %v; both must allow", c.name, c.perm.HasPermission(ctx, pc), c.inline())
		}
		b.Run("perm="+c.name+"/impl=reinhardt", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if c.perm.HasPermission(ctx, pc) {
					n++
				}
			}
			sink = n
		})
		b.Run("perm="+c.name+"/impl=inline", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if c.inline() {
					n++
				}
			}
			sink = n
		})
	}
}

// sink keeps the benchmarks' results alive.
var sink int

func TestModelPermissionsDenialOrder(t *testing.T) {
	ctx := context.Background()
	e := core.NewEngine(core.NewHTTPBasicAuth())
	strict := core.NewModelPermissions("blog", "post")
	ro := core.NewModelPermissions("blog", "post")
	ro.AnonReadOnly = true
	anon := func(m string) *core.PermissionContext { return core.NewPermissionContext(req(m, "/", ""), nil) }
	// DRF: the map is consulted for anonymous users only with
	// authenticated_users_only=False; an unknown method then raises 405
	// before NotAuthenticated is considered.
	if err := e.CheckPermissions(ctx, anon("TRACE"), ro); core.ToAPIError(err).Status != http.StatusMethodNotAllowed {
		t.Errorf("AnonReadOnly TRACE: %v", err)
	}
	if err := e.CheckPermissions(ctx, anon("TRACE"), strict); err != core.ErrNotAuthenticated {
		t.Errorf("strict TRACE: %v", err)
	}
	if err := e.CheckPermissions(ctx, anon("POST"), ro); err != core.ErrNotAuthenticated {
		t.Errorf("AnonReadOnly POST: %v", err)
	}
	// A custom 403 message never hides NotAuthenticated.
	if err := e.CheckPermissions(ctx, anon("GET"), core.WithMessage(core.IsAuthenticated{}, "Members only.")); err != core.ErrNotAuthenticated {
		t.Errorf("message for anonymous: %v", err)
	}
}

func TestHasModulePermsUsesTheAppLabel(t *testing.T) {
	u := &core.DefaultUser{Active: true, UserPermissions: []string{"blog.x.y"}}
	if u.HasModulePerms("blog.x") || !u.HasModulePerms("blog") {
		t.Fatal("app label is the text before the first dot")
	}
}

func TestAnonymousIdentityIsNotShared(t *testing.T) {
	id := core.IdentityFromContext(context.Background())
	id.Method = "tampered"
	id.User = &core.SimpleUser{ID: "x", Active: true}
	if again := core.IdentityFromContext(context.Background()); again.Method != "" || again.User.IsAuthenticated() {
		t.Fatal("changing one anonymous identity changed another")
	}
	e := core.NewEngine()
	a, _ := e.Authenticate(req("GET", "/", ""))
	a.Method = "tampered"
	if b, _ := e.Authenticate(req("GET", "/", "")); b.Method != "" {
		t.Fatal("engine shares its anonymous identity")
	}
}
