package dnsproviders

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/manual"
)

// clearProviderEnv empties every variable the registry documents (and its
// _FILE and legacy RFC2136_ forms) for the duration of the test.
func clearProviderEnv(t *testing.T) {
	t.Helper()

	for _, info := range All() {
		for _, e := range info.Env {
			for _, name := range []string{e.Name, "RFC2136_" + strings.TrimPrefix(e.Name, "DNSUPDATE_")} {
				t.Setenv(name, "")
				t.Setenv(name+"_FILE", "")
			}
		}
	}
}

func TestDocsHaveOneSectionPerProviderWithItsVariables(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}

	doc := buf.String()

	for _, info := range All() {
		if strings.Count(doc, "\n## "+info.Name+"\n") != 1 {
			t.Errorf("no single section for %s", info.Name)
		}

		for _, e := range info.Env {
			if !strings.Contains(doc, "| `"+e.Name+"` |") {
				t.Errorf("%s: variable %s missing from the docs", info.Name, e.Name)
			}
		}
	}
}

func TestNamesAreSortedAndIncludeEveryBuiltIn(t *testing.T) {
	names := Names()

	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}

	for _, want := range []string{"exec", "httpreq", "manual", "none", "rfc2136"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %s", names, want)
		}
	}

	all := All()
	for i, info := range all {
		if info.Name != names[i] {
			t.Errorf("All()[%d] = %s, Names()[%d] = %s", i, info.Name, i, names[i])
		}
	}
}

func TestLookup(t *testing.T) {
	info, ok := Lookup("HTTPREQ")
	if !ok || info.Name != "httpreq" || !info.CanUnpublish {
		t.Errorf("Lookup(HTTPREQ) = %+v, %v", info, ok)
	}

	if _, ok := Lookup("cloudflare-typo"); ok {
		t.Error("Lookup found a provider that does not exist")
	}
}

func TestUnknownProviderErrorListsKnownNames(t *testing.T) {
	pub, err := NewPublisher("bind9")
	if err == nil || pub != nil {
		t.Fatalf("NewPublisher(bind9) = %v, %v; want an error", pub, err)
	}

	for _, want := range append([]string{`"bind9"`}, Names()...) {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestNoneIsReadOnly(t *testing.T) {
	pub, err := NewPublisher(None)
	if err != nil || pub != nil {
		t.Errorf("NewPublisher(none) = %v, %v; want nil, nil", pub, err)
	}
}

func TestMissingRequiredVariableIsNamed(t *testing.T) {
	for _, info := range All() {
		for _, e := range info.Env {
			if !e.Required {
				continue
			}

			t.Run(info.Name, func(t *testing.T) {
				clearProviderEnv(t)

				pub, err := NewPublisher(info.Name)
				if err == nil || !strings.Contains(err.Error(), e.Name) {
					t.Errorf("NewPublisher(%s) without %s = %v, %v; want an error naming it", info.Name, e.Name, pub, err)
				}

				if pub != nil {
					t.Errorf("NewPublisher(%s) returned a publisher (%#v) along with an error", info.Name, pub)
				}
			})
		}
	}
}

func TestCanUnpublishMatchesPublisher(t *testing.T) {
	clearProviderEnv(t)

	hook := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}

	// Construction only: nothing below sends a packet.
	t.Setenv("EXEC_PATH", hook)
	t.Setenv("HTTPREQ_ENDPOINT", "http://127.0.0.1:1/dns")
	t.Setenv("DNSUPDATE_NAMESERVER", "127.0.0.1:1")

	for _, info := range All() {
		if info.Name == None || info.Refused != "" {
			continue
		}

		t.Run(info.Name, func(t *testing.T) {
			// Every required variable gets a placeholder, and the zone is
			// named so that no zone lookup is needed.
			for _, e := range info.Env {
				switch {
				case os.Getenv(e.Name) != "":
				case strings.HasSuffix(e.Name, "_ZONE"):
					t.Setenv(e.Name, "example.com")
				case (strings.Contains(e.Name, "URL") || strings.HasSuffix(e.Name, "_ENDPOINT")) && e.Required:
					t.Setenv(e.Name, "http://127.0.0.1:1")
				case e.Required:
					t.Setenv(e.Name, "placeholder-credential")
				}
			}

			pub, err := NewPublisher(info.Name)
			if err != nil {
				t.Fatalf("NewPublisher: %v", err)
			}

			if _, ok := pub.(persist.Unpublisher); ok != info.CanUnpublish {
				t.Errorf("CanUnpublish = %v, but the publisher implements Unpublish: %v", info.CanUnpublish, ok)
			}
		})
	}
}

func TestManualPublisherAcceptsCheck(t *testing.T) {
	clearProviderEnv(t)

	pub, err := NewPublisher("manual")
	if err != nil {
		t.Fatal(err)
	}

	if _, ok := pub.(*manual.DNSProvider); !ok {
		t.Errorf("NewPublisher(manual) = %T, want *manual.DNSProvider so callers can add a check", pub)
	}
}

func TestRefusedHostsFailWithTheirReason(t *testing.T) {
	for _, name := range []string{"namecheap", "duckdns", "acme-dns", "freemyip", "hurricane"} {
		info, ok := Lookup(name)
		if !ok || info.Refused == "" {
			t.Fatalf("Lookup(%s) = %+v, %v; want a refused entry", name, info, ok)
		}

		pub, err := NewPublisher(name)
		if pub != nil || err == nil || !strings.Contains(err.Error(), info.Refused) {
			t.Errorf("NewPublisher(%s) = %v, %v; want the refusal reason", name, pub, err)
		}
	}
}

func TestAliasesFindTheirProvider(t *testing.T) {
	info, ok := Lookup("powerdns")
	if !ok || info.Name != "pdns" {
		t.Errorf("Lookup(powerdns) = %+v, %v; want pdns (lego's name)", info, ok)
	}

	for _, info := range All() {
		for _, alias := range info.Aliases {
			if got, ok := Lookup(alias); !ok || got.Name != info.Name {
				t.Errorf("alias %s of %s finds %+v", alias, info.Name, got)
			}
		}
	}
}
