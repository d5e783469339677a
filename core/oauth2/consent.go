package oauth2

import (
	"html/template"
	"time"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/sessions"
)

// ConsentPage is the data of the consent template: the application, the
// scopes it asks for, and the form to post back to the authorize endpoint
// (its hidden fields carry the authorization request and the CSRF token,
// csrfmiddlewaretoken; the button that allows sends allow=Authorize).
type ConsentPage struct {
	// Application is the client's name (its id when it has none).
	Application string
	ClientID    string
	// Username is the logged-in user's.
	Username string
	Scopes   []ScopeDescription
	// Action is the form's target: the authorize endpoint's path.
	Action string
	// Fields are the hidden fields of the form, in order.
	Fields []Field
	// CSRFToken is the value of the csrfmiddlewaretoken field.
	CSRFToken string
}

// ScopeDescription is a scope and its description (Config.Scopes).
type ScopeDescription struct{ Name, Description string }

// Field is a hidden form field.
type Field struct{ Name, Value string }

// DefaultConsentTemplate is the plain consent page of a Config without
// ConsentTemplate: django-oauth-toolkit's authorize.html, without styles.
var DefaultConsentTemplate = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Authorize {{.Application}}</title></head>
<body>
<h1>Authorize {{.Application}}?</h1>
<p>{{.Application}} asks for these permissions{{if .Username}} for {{.Username}}{{end}}:</p>
<ul>
{{range .Scopes}}<li>{{.Description}} ({{.Name}})</li>
{{end}}</ul>
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrfmiddlewaretoken" value="{{.CSRFToken}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<button type="submit" name="allow" value="Authorize">Authorize</button>
<button type="submit" name="allow" value="Cancel">Cancel</button>
</form>
</body>
</html>
`))

// sessionAuthTime is the default Config.AuthTime: the login time the
// session login recorded (sessions.LoginAtKey, Unix nanoseconds).
func sessionAuthTime(r core.Request) time.Time {
	s := sessions.FromContext(r.Context())
	if s == nil {
		return time.Time{}
	}
	ns, ok := sessions.GetAs[int64](s, sessions.LoginAtKey)
	if !ok || ns <= 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// reloginKey is the session key of the moment (Unix nanoseconds) the
// authorize endpoint last sent the browser to log in again (prompt=login,
// max_age=0).
const reloginKey = "_oauth2_relogin_at"

// reloginWindow is how long the login page may take: a moment older than
// this no longer counts, and the browser is sent to log in again.
const reloginWindow = 10 * time.Minute

// askLoginAgain records in r's session that the browser is being sent to
// log in again now; false when r has no session.
func askLoginAgain(r core.Request, now time.Time) bool {
	s := sessions.FromContext(r.Context())
	if s == nil {
		return false
	}
	s.Set(reloginKey, now.UnixNano())
	return true
}

// loggedInAgain reports whether the browser logged in (authTime) after
// askLoginAgain sent it to, at most reloginWindow ago; the moment is then
// used up, so that a later request with prompt=login asks again.
func loggedInAgain(r core.Request, authTime, now time.Time) bool {
	s := sessions.FromContext(r.Context())
	if s == nil {
		return false
	}
	ns, ok := sessions.GetAs[int64](s, reloginKey)
	if !ok {
		return false
	}
	asked := time.Unix(0, ns)
	if !authTime.After(asked) || now.Sub(asked) > reloginWindow {
		return false
	}
	s.Delete(reloginKey)
	return true
}
