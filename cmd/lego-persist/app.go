package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

func newApp(stdout, stderr io.Writer) *cli.App {
	var defaultPath string
	if cwd, err := os.Getwd(); err == nil {
		defaultPath = filepath.Join(cwd, ".lego")
	}

	app := &cli.App{
		Name:      "lego-persist",
		HelpName:  "lego-persist",
		Usage:     "lego v4 with dns-persist-01: one standing DNS record, renewals without DNS writes",
		Version:   version,
		Suggest:   true,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     globalFlags(defaultPath),
		Commands: []*cli.Command{
			runCommand(),
			renewCommand(),
			recordCommand(),
			checkCommand(),
			removeCommand(),
			revokeCommand(),
			listCommand(),
			dnshelpCommand(),
			accountCommand(),
			completionCommand(), manCommand(),
		},
		// Exit codes are ours (see run): urfave must not exit by itself.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return unknownCommand(c.App, c.Args().First())
			}

			return cli.ShowAppHelp(c)
		},
	}

	app.HideVersion = false
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, versionString()) }

	for _, cmd := range app.Commands {
		cmd.OnUsageError = onUsageError
	}

	return app
}

// onUsageError turns urfave's flag parsing errors (unknown flag, bad value;
// its messages name the flag) into exit code 2, and adds the likely fix for
// an unknown flag: a global flag given after the command goes before it; a
// typo gets urfave's closest match.
func onUsageError(c *cli.Context, err error, isSubcommand bool) error {
	const undefined = "flag provided but not defined: -"

	name, ok := strings.CutPrefix(err.Error(), undefined)
	if !ok {
		return &exitError{code: exitUsage, err: err}
	}

	name = strings.TrimLeft(name, "-")

	if isSubcommand && c.Command != nil && hasFlag(c.App.Flags, name) {
		flag := "--" + name
		if len(name) == 1 {
			flag = "-" + name
		}

		return &exitError{code: exitUsage, err: fmt.Errorf("%w: %s is a global flag: put it before the command"+
			" (lego-persist %s ... %s), as with lego", err, flag, flag, c.Command.Name)}
	}

	flags := c.App.Flags
	if isSubcommand && c.Command != nil {
		flags = c.Command.Flags
	}

	if s := cli.SuggestFlag(flags, name, false); s != "" {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (did you mean %s?)", err, s)}
	}

	return &exitError{code: exitUsage, err: err}
}

// hasFlag reports whether name is one of flags' names or aliases.
func hasFlag(flags []cli.Flag, name string) bool {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return true
		}
	}

	return false
}

// unknownCommand is the usage error for a command that does not exist, with
// urfave's closest match.
func unknownCommand(app *cli.App, name string) error {
	if s := cli.SuggestCommand(app.Commands, name); s != "" {
		return usageErrorf("unknown command %q. %s", name, s)
	}

	return usageErrorf("unknown command %q", name)
}
