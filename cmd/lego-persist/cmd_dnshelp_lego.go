//go:build !light

package main

import (
	"bytes"
	"io"

	legocmd "github.com/go-acme/lego/v4/cmd"
	"github.com/urfave/cli/v2"
)

// legoDNSHelp returns lego's own `lego dnshelp --code name` text, from the
// command lego's cmd package exports, and whether lego has a --dns
// provider of that name.
func legoDNSHelp(name string) ([]byte, bool) {
	var help *cli.Command

	for _, c := range legocmd.CreateCommands() {
		if c.Name == "dnshelp" {
			help = c
		}
	}

	if help == nil {
		return nil, false
	}

	var buf bytes.Buffer

	app := &cli.App{Name: "lego", Writer: &buf, ErrWriter: io.Discard, Commands: []*cli.Command{help}}
	if err := app.Run([]string{"lego", "dnshelp", "--code", name}); err != nil {
		return nil, false
	}

	return buf.Bytes(), true
}
