// Command retreat runs the Retreat server and its admin tools:
//
//	retreat [serve]            run the web app (the default)
//	retreat create-organizer   create an organizer account
//	retreat photo FILE...      run the photo pipeline on local files
//	retreat migrate-storage    copy an embedded install into PostgreSQL + S3
//	retreat backup FILE        consistent online copy of the database and photos
//	retreat restore FILE       bring a backup back
//	retreat demo               seed a finished demo event
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // time zones work on machines without a tz database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "retreat:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errReported means the command already told the user what went wrong.
var errReported = errors.New("reported")

// run dispatches a subcommand; with none, or only flags, it serves.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCommand(ctx, args, stdout, stderr)
	case "create-organizer":
		return createOrganizerCommand(ctx, args, stdin, stdout, stderr)
	case "photo":
		return photoCommand(ctx, args, stdout, stderr)
	case "migrate-storage":
		return migrateStorageCommand(ctx, args, stdout, stderr)
	case "backup":
		return backupCommand(ctx, args, stdout, stderr)
	case "restore":
		return restoreCommand(ctx, args, stdout, stderr)
	case "demo":
		return demoCommand(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "retreat: unknown command %q\n\n%s", cmd, usage)
	return errReported
}

const usage = `Usage:
  retreat [serve] [flags]                       run the web app (see retreat serve -h)
  retreat create-organizer --email E --name N   create an organizer (password read from stdin)
  retreat photo [--out DIR] FILE...             run the photo pipeline on local files
  retreat migrate-storage [flags]               copy an embedded install into PostgreSQL + S3
  retreat backup [--data-dir D] FILE            consistent copy of the database and photos, while the app runs
  retreat restore [--data-dir D] [--force] FILE bring a backup back (stop the server first)
  retreat demo [--people N] [--photos fast]     seed a finished demo event and print how to sign in
`
