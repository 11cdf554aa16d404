package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"retreat/models"
)

// createOrganizerCommand creates an organizer account from a shell, for
// servers nobody opens a browser on. The password is read from the terminal
// (asked twice) or, when piped, from the first line of stdin, never from a
// flag that would land in shell history.
func createOrganizerCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("retreat create-organizer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	email := fs.String("email", "", "the organizer's email (their login)")
	name := fs.String("name", "", "the organizer's name")
	if err := parseWithEnv(fs, args); err != nil {
		return err
	}
	cfg.fillDefaults()
	if *email == "" || *name == "" {
		fmt.Fprintln(stderr, "retreat create-organizer: --email and --name are required")
		return errReported
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	store, err := models.Open(ctx, cfg.DatabaseURL, models.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	o, err := store.CreateOrganizer(ctx, models.NewOrganizer{Email: *email, Name: *name, Password: password})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for _, m := range ve.Fields {
			fmt.Fprintln(stderr, "retreat create-organizer:", m)
		}
		return errReported
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created organizer %s <%s>. Sign in at /login.\n", o.Name, o.Email)
	return nil
}

func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "Password (at least %d characters): ", models.MinPasswordLength)
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(p1) != string(p2) {
			return "", errors.New("the two passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
