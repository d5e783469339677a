package main

import (
	"context"
	"fmt"

	"github.com/reinhardt-go/auth/core"
	"github.com/reinhardt-go/auth/core/hashers"
)

func cmdHashPassword(ctx context.Context, e *env, _ string, args []string) int {
	if len(args) != 0 {
		return fail(e, "hashpassword takes no arguments; the password is read from standard input")
	}
	pw, err := e.readSecret("Password: ")
	if err != nil {
		return fail(e, "%v", err)
	}
	if len(pw) > core.MaxPasswordBytes {
		return fail(e, "password longer than %d bytes", core.MaxPasswordBytes)
	}
	encoded, err := hashers.Default().MakePassword(ctx, pw)
	if err != nil {
		return fail(e, "%v", err)
	}
	fmt.Fprintln(e.stdout, encoded)
	return exitOK
}

func cmdCheckPassword(ctx context.Context, e *env, _ string, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(e.stderr, "usage: authctl checkpassword ENCODED  (password on standard input)")
		return exitUsage
	}
	pw, err := e.readSecret("Password: ")
	if err != nil {
		return fail(e, "%v", err)
	}
	ok, err := hashers.Default().CheckPassword(ctx, pw, args[0], nil)
	if err != nil {
		return fail(e, "%v", err)
	}
	if !ok {
		fmt.Fprintln(e.stderr, "authctl: password does not match")
		return exitFail
	}
	return exitOK
}

func cmdGenSecret(_ context.Context, e *env, _ string, args []string) int {
	if len(args) != 0 {
		return fail(e, "gensecret takes no arguments")
	}
	fmt.Fprintln(e.stdout, core.NewSecretKey())
	return exitOK
}
