package csrf

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

// Info is what Check needs from a request that core.Request does not
// carry: its Host header, and the csrfmiddlewaretoken field of a form
// POST. Prepare records it for net/http; an adapter for another framework
// records it with NewContext before authentication runs.
type Info struct {
	// Host is the request's Host header ("name[:port]").
	Host string
	// FormToken is the csrfmiddlewaretoken field of a form-encoded or
	// multipart POST body, "" when there is none.
	FormToken string
}

type infoKey struct{}

// NewContext returns a context carrying info for Check.
func NewContext(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

func infoFrom(r core.Request) (Info, bool) {
	info, ok := r.Context().Value(infoKey{}).(Info)
	return info, ok
}

// PostFormValuer is implemented by requests of adapters that parse form
// bodies themselves and keep them for the handler (their frameworks
// buffer the body): PostFormValue returns the named field of a form POST
// body ("" when absent), never a query parameter.
type PostFormValuer interface {
	PostFormValue(name string) string
}

// formToken returns the csrfmiddlewaretoken field of a POST, read without
// consuming the body: from the Info Prepare recorded, else from the
// request's own form parser (PostFormValuer). A request with neither is
// read for its X-CSRFToken header only.
func formToken(r core.Request) string {
	if info, ok := infoFrom(r); ok {
		return info.FormToken
	}
	if pv, ok := r.(PostFormValuer); ok && isFormType(r.Header("Content-Type")) {
		return pv.PostFormValue(FormField)
	}
	return ""
}

// isFormType reports whether a Content-Type is one Django's request.POST
// parses: form-urlencoded or multipart/form-data.
func isFormType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data")
}

// maxFieldBytes bounds the csrfmiddlewaretoken value read from a
// multipart part: a token is 64 bytes.
const maxFieldBytes = 1024

// FormTokenFromBody returns the csrfmiddlewaretoken field of a POST body
// of Content-Type ct (form-urlencoded or multipart/form-data), "" when it
// has none or cannot be parsed. It reads nothing but body.
func FormTokenFromBody(ct string, body []byte) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		// Like Django's QueryDict, keep what parses and skip the rest.
		return formValue(string(body), FormField)
	case "multipart/form-data":
		boundary := params["boundary"]
		if boundary == "" {
			return ""
		}
		mr := multipart.NewReader(bytes.NewReader(body), boundary)
		for {
			part, err := mr.NextPart()
			if err != nil {
				return ""
			}
			if part.FormName() == FormField && part.FileName() == "" {
				v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
				if err != nil || len(v) > maxFieldBytes {
					return ""
				}
				return string(v)
			}
		}
	}
	return ""
}

// formValue is url.ParseQuery(body).Get(name), without unescaping the
// values of the other fields: a login form's megabyte password is not
// copied and unescaped here only to be dropped. A body of more fields
// than url.ParseQuery takes (its limit, GODEBUG urlmaxqueryparams, is
// asked with as many empty fields) has none, as there.
func formValue(body, name string) string {
	if _, err := url.ParseQuery(strings.Repeat("&", strings.Count(body, "&"))); err != nil {
		// More fields than url.ParseQuery takes (asked about as many
		// empty ones): it reads none of them.
		return ""
	}
	for body != "" {
		var field string
		field, body, _ = strings.Cut(body, "&")
		if strings.Contains(field, ";") {
			continue // url.ParseQuery refuses the semicolon separator
		}
		key, value, _ := strings.Cut(field, "=")
		// An escaped byte takes three; a longer key is not name.
		if len(key) > 3*len(name) {
			continue
		}
		if k, err := url.QueryUnescape(key); err != nil || k != name {
			continue
		}
		if v, err := url.QueryUnescape(value); err == nil {
			return v
		}
	}
	return ""
}

// bufferedBody is a request body Prepare has read: a bytes.Reader over
// all, whose Len lets core.ReadBody read it into a buffer of its size and
// whose Drain lets core.DecodeBody take it without a copy.
type bufferedBody struct {
	*bytes.Reader
	all []byte
}

func newBufferedBody(b []byte) bufferedBody { return bufferedBody{bytes.NewReader(b), b} }

// Close implements io.Closer; there is nothing to release.
func (bufferedBody) Close() error { return nil }

// Drain returns the bytes not read yet and leaves the body at its end.
// The caller must not modify them: they are the body's, which GetBody
// hands out again.
func (b bufferedBody) Drain() []byte {
	rest := b.all[len(b.all)-b.Len():]
	_, _ = b.Seek(0, io.SeekEnd)
	return rest
}

// Prepare is the net/http middleware that gives Check what core.Request
// lacks (Info): the request's Host, and for a form POST (form-urlencoded
// or multipart) the csrfmiddlewaretoken field. To find the field it reads
// the body — at most WithMaxBodyBytes, through core.ReadBody — and puts
// the bytes back as r.Body, so the handler reads the same body; a larger
// body is answered 413 here. JSON and other bodies are not read: their
// clients send the X-CSRFToken header. Prepare checks nothing; put it
// outside the authentication middleware whose SessionAuthentication calls
// Check:
//
//	h := sessionManager.Handler(protector.Prepare(httpauth.Middleware(engine)(mux)))
func (p *Protector) Prepare(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := Info{Host: r.Host}
		if r.Method == http.MethodPost && isFormType(r.Header.Get("Content-Type")) {
			if p.maxBody > 0 && r.ContentLength > p.maxBody {
				_ = core.WriteError(core.NewHTTPResponse(w), core.ErrRequestTooLarge, "")
				return
			}
			body, err := core.ReadBody(core.NewHTTPRequest(r), p.maxBody)
			if err != nil {
				_ = core.WriteError(core.NewHTTPResponse(w), err, "")
				return
			}
			r.Body = newBufferedBody(body)
			r.GetBody = func() (io.ReadCloser, error) { return newBufferedBody(body), nil }
			info.FormToken = FormTokenFromBody(r.Header.Get("Content-Type"), body)
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), info)))
	})
}

// Protect is Django's CsrfViewMiddleware for net/http: it runs Prepare and
// then Check on every request, whoever is logged in, with the session of
// the request's context (WithSessions), refusing with the 403 DRF-shaped
// body. Use it for HTML forms that need protection before anybody is
// authenticated (the login form: login CSRF); the API needs only
// SessionAuthentication.CSRF.
func (p *Protector) Protect(next http.Handler) http.Handler {
	return p.Prepare(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p.Check(core.NewHTTPRequest(r), sessions.FromContext(r.Context())); err != nil {
			_ = core.WriteError(core.NewHTTPResponse(w), err, "")
			return
		}
		next.ServeHTTP(w, r)
	}))
}
