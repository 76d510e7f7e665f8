package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

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
		Writer:    stdout,
		ErrWriter: stderr,
		Flags:     globalFlags(defaultPath),
		Commands: []*cli.Command{
			runCommand(),
			renewCommand(),
			recordCommand(),
			checkCommand(),
			removeCommand(),
			listCommand(),
			dnshelpCommand(),
			completionCommand(), manCommand(),
		},
		// Exit codes are ours (see run): urfave must not exit by itself.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command %q", c.Args().First())
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
// its messages name the flag) into exit code 2.
func onUsageError(_ *cli.Context, err error, _ bool) error {
	return &exitError{code: exitUsage, err: err}
}
