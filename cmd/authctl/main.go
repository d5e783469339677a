package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (checkpassword: no match)
	exitUsage = 2
)

// DefaultDB is the database of the showcase.
const DefaultDB = "sqlite:var/showcase.sqlite3"

// env is what a command may touch, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// readSecret reads a password: without echo from a terminal, else one
	// line of stdin.
	readSecret func(prompt string) (string, error)
}

type command struct {
	usage string
	run   func(ctx context.Context, e *env, db string, args []string) int
}

var commands = map[string]command{
	"migrate":         {"migrate [--lock-timeout DURATION]", cmdMigrate},
	"createsuperuser": {"createsuperuser --username U --email E [--noinput]", cmdCreateSuperuser},
	"changepassword":  {"changepassword [--stdin] USERNAME", cmdChangePassword},
	"hashpassword":    {"hashpassword  (password on standard input)", cmdHashPassword},
	"checkpassword":   {"checkpassword ENCODED  (password on standard input; exit 0 on match, 1 otherwise)", cmdCheckPassword},
	"gensecret":       {"gensecret", cmdGenSecret},
	"clearsessions":   {"clearsessions  (delete expired sessions and tokens, and old audit events)", cmdClearSessions},
	"migratesessions": {"migratesessions --from SPEC --to SPEC  (db, sqlite:PATH, postgres://…, file:DIR, redis://…)", cmdMigrateSessions},
	"createapplication": {"createapplication --name N --client-type confidential|public --grant-types LIST --redirect-uris LIST [--skip-authorization] [--scopes LIST]\n" +
		"                   or DOT's: createapplication [--name N] [--client-id ID] [--client-secret S] [--redirect-uris \"A B\"] [--user ID] [--skip-authorization] [--algorithm RS256] CLIENT_TYPE AUTHORIZATION_GRANT_TYPE", cmdCreateApplication},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	e.readSecret = terminalReader(e)
	os.Exit(run(ctx, e, os.Args[1:]))
}

func run(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("authctl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def := DefaultDB
	if v := e.getenv("REINHARDT_DB"); v != "" {
		def = v
	}
	db := fs.String("db", def, "database: sqlite:PATH, postgres://… or mysql://… (env REINHARDT_DB)")
	fs.Usage = func() { usage(e.stderr, fs) }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		usage(e.stderr, fs)
		return exitUsage
	}
	cmd, ok := commands[fs.Arg(0)]
	if !ok {
		fmt.Fprintf(e.stderr, "authctl: unknown command %q\n", fs.Arg(0))
		usage(e.stderr, fs)
		return exitUsage
	}
	return cmd.run(ctx, e, *db, fs.Args()[1:])
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: authctl [-db URL] COMMAND [ARGS]")
	fs.PrintDefaults()
	fmt.Fprintln(w, "commands:")
	for _, name := range []string{"migrate", "createsuperuser", "changepassword", "clearsessions", "migratesessions", "createapplication", "hashpassword", "checkpassword", "gensecret"} {
		fmt.Fprintln(w, "  "+commands[name].usage)
	}
}

// terminalReader prompts without echo when stdin is a terminal, and
// otherwise reads one line (without its line ending) per call.
func terminalReader(e *env) func(string) (string, error) {
	var lines *bufio.Reader
	return func(prompt string) (string, error) {
		if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprint(e.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		if lines == nil {
			lines = bufio.NewReader(e.stdin)
		}
		return readLine(lines)
	}
}

// readLine reads one line; the trailing "\n" or "\r\n" is not part of it.
// A last line without a newline counts; no input at all is an error.
func readLine(r *bufio.Reader) (string, error) {
	s, err := r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password on standard input")
		}
		return "", err
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// fail prints an error and returns exitFail.
func fail(e *env, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "authctl: "+format+"\n", args...)
	return exitFail
}
