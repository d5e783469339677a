package fiberauth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/reinhardt-go/auth/core"
)

// ErrorHandler is a fiber.Config.ErrorHandler that renders every error as
// DRF does, so that handlers may simply return core errors
// (core.ErrNotFound, a core.ValidationError, CheckObjectPermissions'
// refusal) and Fiber's own refusals look like the API's:
//
//	app := fiber.New(fiber.Config{ErrorHandler: fiberauth.ErrorHandler(engine)})
//
// A *fiber.Error becomes DRF's body for its status: 404 {"detail":"Not
// found."}, 405 `Method "X" not allowed.`, 413 "Request body too large.",
// 400 "Malformed request." (fasthttp's parse errors, whose text is not
// shown), 431 for request headers over Config.ReadBufferSize, and its own
// message for other statuses. Any other error is rendered by
// core.WriteError: a core error as its status, anything unexpected as 500
// without its cause, which is logged to e.Logger (slog.Default() when
// nil). The challenge of a 401 is that of the engine that authenticated
// the request, else e's.
func ErrorHandler(e *core.Engine) fiber.ErrorHandler {
	if e == nil {
		e = failClosed
	}
	return func(c *fiber.Ctx, err error) error {
		eng := core.EngineFromContext(c.UserContext())
		if eng == nil {
			eng = e
		}
		var fe *fiber.Error
		if errors.As(err, &fe) {
			err = fromFiber(c, fe)
		} else if core.ToAPIError(err) == core.ErrServerError {
			logger := eng.Logger
			if logger == nil {
				logger = slog.Default()
			}
			logger.ErrorContext(c.UserContext(), "fiberauth: handler error", "method", c.Method(), "path", c.Path(), "error", err)
		}
		return eng.WriteError(newResponse(c), err)
	}
}

// fromFiber maps Fiber's errors to DRF's.
func fromFiber(c *fiber.Ctx, fe *fiber.Error) error {
	generic := fe.Message == utils.StatusMessage(fe.Code)
	switch fe.Code {
	case http.StatusNotFound:
		return core.ErrNotFound
	case http.StatusMethodNotAllowed:
		return core.MethodNotAllowed(c.Method())
	case http.StatusRequestEntityTooLarge:
		return core.ErrRequestTooLarge
	case http.StatusBadRequest:
		return core.ParseError("")
	case http.StatusUnsupportedMediaType:
		return core.ErrUnsupportedMediaType
	case http.StatusUnauthorized:
		if generic {
			return core.ErrNotAuthenticated
		}
		return &core.APIError{Status: http.StatusUnauthorized, Detail: fe.Message, Code: "authentication_failed"}
	case http.StatusForbidden:
		if generic {
			return core.ErrPermissionDenied
		}
		return core.PermissionDenied(fe.Message)
	case http.StatusServiceUnavailable:
		return core.ErrServiceUnavailable
	}
	if fe.Code >= 500 {
		return &core.APIError{Status: fe.Code, Detail: core.ErrServerError.Detail, Code: core.ErrServerError.Code}
	}
	detail := fe.Message
	if generic || detail == "" {
		detail = sentence(http.StatusText(fe.Code))
	}
	return &core.APIError{Status: fe.Code, Detail: detail, Code: "error"}
}

// sentence turns a status text ("Request Header Fields Too Large") into
// DRF's style ("Request header fields too large.").
func sentence(s string) string {
	if s == "" {
		return "Error."
	}
	return s[:1] + strings.ToLower(s[1:]) + "."
}
