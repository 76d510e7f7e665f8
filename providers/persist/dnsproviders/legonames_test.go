//go:build !light

package dnsproviders

import (
	"io"
	"testing"

	legocmd "github.com/go-acme/lego/v4/cmd"
	"github.com/urfave/cli/v2"
)

// TestNamesAreLegosProviderNames: every publisher (refused ones included)
// is named as lego names its --dns provider for the same host, so a lego
// user's --dns NAME works as --dns-persist NAME. lego's own `dnshelp
// --code NAME` (help text only, nothing is built) is the judge.
func TestNamesAreLegosProviderNames(t *testing.T) {
	var help *cli.Command

	for _, c := range legocmd.CreateCommands() {
		if c.Name == "dnshelp" {
			help = c
		}
	}

	if help == nil {
		t.Fatal("lego's cmd package has no dnshelp command")
	}

	for _, info := range All() {
		if info.Name == None {
			continue
		}

		app := &cli.App{Name: "lego", Writer: io.Discard, ErrWriter: io.Discard, Commands: []*cli.Command{help}}
		if err := app.Run([]string{"lego", "dnshelp", "--code", info.Name}); err != nil {
			t.Errorf("%s: lego has no --dns provider of that name: %v", info.Name, err)
		}
	}
}
