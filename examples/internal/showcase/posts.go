package showcase

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/stores/sqlstore"
)

// Post is a blog post as the API shows it: author is the author's username
// (DRF's ReadOnlyField(source="author.username")).
type Post struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Author   string `json:"author"`
	AuthorID int64  `json:"-"`
}

// Posts is the /api/posts resource over the blog_post table.
type Posts struct{ store *sqlstore.Store }

// Permission classes of the resource: anyone reads, authenticated users
// write, and a request authenticated by an OAuth2 access token needs its
// read scope to read and its write scope to write (OAuth2Scopes); changing a post needs its author or blog.change_post, deleting
// it its author or blog.delete_post (own or through a group).
var (
	PostsPermissions = []core.Permission{core.IsAuthenticatedOrReadOnly{}, OAuth2Scopes}
	isAuthor         = core.ObjectPermissionFunc(func(_ context.Context, pc *core.PermissionContext, obj any) bool {
		p, ok := obj.(*Post)
		return ok && strconv.FormatInt(p.AuthorID, 10) == pc.User.GetID()
	})
	ChangePostPermissions = []core.Permission{core.Or(isAuthor, core.HasPerm{"blog.change_post"})}
	DeletePostPermissions = []core.Permission{core.Or(isAuthor, core.HasPerm{"blog.delete_post"})}
)

const postColumns = `SELECT p.id, p.title, p.body, p.author_id, u.username FROM blog_post p JOIN auth_user u ON u.id = p.author_id`

func (ps *Posts) query(ctx context.Context, q string, args ...any) ([]Post, error) {
	rows, err := ps.store.ReadDB().QueryContext(ctx, ps.store.Rebind(q), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.Title, &p.Body, &p.AuthorID, &p.Author); err != nil {
			return nil, unavailable(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(err)
	}
	return out, nil
}

func unavailable(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("posts: %w: %w", core.ErrStoreUnavailable, err)
}

// List is GET /api/posts: 200 and every post, oldest first.
func (ps *Posts) List(ctx context.Context) (int, any, error) {
	posts, err := ps.query(ctx, postColumns+` ORDER BY p.id`)
	return http.StatusOK, posts, err
}

// IsPostID reports whether s is a post id as Django's <int:pk> path
// converter matches one: ASCII digits, at least one ([0-9]+; "01" is post
// 1, as int() reads it). In Django a path whose id is anything else (abc,
// +1, -1, ., ..) resolves to no URL pattern and is 404 before any view
// runs, so before authentication and permissions: every example routes
// /api/posts/{id} only for ids IsPostID accepts.
func IsPostID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Load returns post id, or core.ErrNotFound. An id of digits beyond int64
// finds no post either, as Django (5.0 and later) finds no row for an
// out-of-range integer lookup.
func (ps *Posts) Load(ctx context.Context, id string) (*Post, error) {
	if !IsPostID(id) { // the routes do not get here with one; ParseInt takes +1 and -1
		return nil, core.ErrNotFound
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, core.ErrNotFound
	}
	posts, err := ps.query(ctx, postColumns+` WHERE p.id = ?`, n)
	if err != nil {
		return nil, err
	}
	if len(posts) == 0 {
		return nil, core.ErrNotFound
	}
	return &posts[0], nil
}

// Get is GET /api/posts/{id}: 200 or 404.
func (ps *Posts) Get(ctx context.Context, id string) (int, any, error) {
	p, err := ps.Load(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, p, nil
}

type postInput struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

// validate is DRF's CharField(max_length=200) for title and CharField for
// body: both required and not blank.
func (in *postInput) validate() error {
	var v core.FieldErrors // title, then body, as the serializer declares them
	for _, f := range []struct {
		name string
		val  *string
		max  int
	}{{"title", in.Title, 200}, {"body", in.Body, 0}} {
		switch {
		case f.val == nil:
			v.Add(f.name, "This field is required.")
		case *f.val == "":
			v.Add(f.name, "This field may not be blank.")
		case f.max > 0 && utf8.RuneCountInString(*f.val) > f.max:
			v.Add(f.name, "Ensure this field has no more than "+strconv.Itoa(f.max)+" characters.")
		}
	}
	return v.Err()
}

func decodePost(r core.Request) (*postInput, error) {
	var in postInput
	if err := core.DecodeBody(r, 0, &in); err != nil {
		return nil, err
	}
	return &in, in.validate()
}

// Create is POST /api/posts: 201 and the post, by the current user.
func (ps *Posts) Create(r core.Request) (int, any, error) {
	in, err := decodePost(r)
	if err != nil {
		return 0, nil, err
	}
	ctx := r.Context()
	u := core.UserFromContext(ctx)
	author, err := strconv.ParseInt(u.GetID(), 10, 64)
	if err != nil {
		return 0, nil, core.ErrPermissionDenied // users without a numeric id cannot author posts
	}
	var id int64
	q := `INSERT INTO blog_post (title, body, author_id, created_at) VALUES (?, ?, ?, ?)`
	if ps.store.Dialect() == sqlstore.MySQL {
		// MySQL has no INSERT … RETURNING: the id is the result's.
		res, err := ps.store.DB().ExecContext(ctx, q, *in.Title, *in.Body, author, time.Now().UTC())
		if err == nil {
			id, err = res.LastInsertId()
		}
		if err != nil {
			return 0, nil, unavailable(err)
		}
	} else if err := ps.store.DB().QueryRowContext(ctx, ps.store.Rebind(q+` RETURNING id`), *in.Title, *in.Body, author, time.Now().UTC()).Scan(&id); err != nil {
		return 0, nil, unavailable(err)
	}
	return http.StatusCreated, &Post{ID: id, Title: *in.Title, Body: *in.Body, Author: u.GetUsername(), AuthorID: author}, nil
}

// Update is PUT /api/posts/{id}: check is the adapter's object-permission
// check with ChangePostPermissions.
func (ps *Posts) Update(r core.Request, id string, check func(obj any) error) (int, any, error) {
	ctx := r.Context()
	p, err := ps.Load(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	if err := check(p); err != nil {
		return 0, nil, err
	}
	in, err := decodePost(r)
	if err != nil {
		return 0, nil, err
	}
	if err := ps.exec(ctx, `UPDATE blog_post SET title = ?, body = ? WHERE id = ?`, *in.Title, *in.Body, p.ID); err != nil {
		return 0, nil, err
	}
	p.Title, p.Body = *in.Title, *in.Body
	return http.StatusOK, p, nil
}

// Delete is DELETE /api/posts/{id}: check is the adapter's
// object-permission check with DeletePostPermissions. 204 on success.
func (ps *Posts) Delete(ctx context.Context, id string, check func(obj any) error) (int, any, error) {
	p, err := ps.Load(ctx, id)
	if err != nil {
		return 0, nil, err
	}
	if err := check(p); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, ps.exec(ctx, `DELETE FROM blog_post WHERE id = ?`, p.ID)
}

func (ps *Posts) exec(ctx context.Context, q string, args ...any) error {
	if _, err := ps.store.DB().ExecContext(ctx, ps.store.Rebind(q), args...); err != nil {
		return unavailable(err)
	}
	return nil
}
