// Package core is the framework-agnostic heart of reinhardt-auth: the pieces
// that Django's contrib.auth and Django REST Framework give a Python service,
// written for Go.
//
// What lives here:
//
//   - Users: the [User], [BaseUser], [FullUser] and [PermissionsMixin]
//     interfaces (Django's AbstractBaseUser, AbstractUser and
//     PermissionsMixin), the ready-made [SimpleUser], [AnonymousUser] and
//     [DefaultUser], password helpers ([SetPassword], [CheckPassword],
//     [SetUnusablePassword], [HasUsablePassword], [GetSessionAuthHash]),
//     [NormalizeUsername], [FoldUsername] (creation refuses a username
//     differing from a user's only in case, as Django 4.2), [NormalizeEmail]
//     and [ValidEmail] (Django's EmailValidator), and the in-memory
//     [DefaultUserManager].
//   - Authentication: [Authenticator] (DRF's BaseAuthentication) with the
//     optional [Challenger] for WWW-Authenticate, [AuthBackend] (Django's
//     authentication backends) with [CompositeAuthBackend] and the
//     [ModelBackend] over a [UserStore], [HTTPBasicAuth],
//     [BasicAuthentication] and [RemoteUserAuthentication].
//   - Authorization: [Permission] and [ObjectPermission] with the DRF
//     classes [AllowAny], [IsAuthenticated], [IsAdminUser], [IsActiveUser],
//     [IsAuthenticatedOrReadOnly], [HasPerm], [ModelPermissions], and the
//     combinators [And], [Or] and [Not] with DRF's truth tables.
//   - The [Engine], which runs the authenticators in order and the
//     permissions, and renders errors exactly as DRF does (401 with the
//     first authenticator's challenge, else 403; bodies {"detail": "..."}).
//   - Errors: [AuthenticationError] with kinds that errors.Is sees
//     ([ErrInvalidCredentials], [ErrUserNotFound], [ErrSessionExpired],
//     [ErrInvalidToken], [ErrUnknown]), and [APIError] for everything an
//     endpoint answers with.
//   - The [Request] and [Response] abstraction that adapters implement, with
//     the net/http implementation ([NewHTTPRequest], [NewHTTPResponse]),
//     and [DecodeBody], DRF's JSON and form parsers (keys matched exactly,
//     a JSON body that is not UTF-8 refused).
//
// Password hashing lives in the leaf package hashers and password
// validation in validators; both are imported by core, and nothing in core
// imports a web framework. The current user travels in a context.Context and
// is read back with [UserFromContext] or the generic [UserAs], so no caller
// has to assert an interface{}.
package core
