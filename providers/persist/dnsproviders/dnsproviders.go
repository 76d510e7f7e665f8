// Package dnsproviders is the registry of dns-persist-01 publishers: the
// names accepted by `lego-persist --dns-persist NAME`, the environment
// variables each reads, and a constructor from the environment.
//
// docs/providers.md is generated from this registry:
//
//	go generate ./providers/persist/dnsproviders
//
// To add a provider (a libdns-backed cloud provider, say), add one entry to
// registry() in registry.go and run go generate; nothing else changes.
package dnsproviders

//go:generate go run ./internal/gendocs -o ../../../docs/providers.md

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/lego-persist/lego-persist/providers/persist"
)

// None is the provider name meaning "write nothing": a missing record is an
// error carrying the zone-file line to publish.
const None = "none"

// Info describes a provider.
type Info struct {
	// Name is what --dns-persist takes (lowercase): lego's --dns name for
	// the same DNS host.
	Name string
	// Aliases are older names also accepted ("powerdns" for "pdns").
	Aliases []string
	// Description is one sentence.
	Description string
	// Env lists the environment variables the provider reads, required ones
	// first. Each may also be given as NAME_FILE (value read from a file).
	Env []EnvVar
	// CanUnpublish reports whether the publisher also implements
	// persist.Unpublisher (so `lego-persist remove` works with it).
	CanUnpublish bool
	// Backing names what talks to the host's API (a libdns module and its
	// version, an SDK, or our own client); empty for the built-ins.
	Backing string
	// Safety is the verdict on what a write can do to other values at the
	// name and how concurrent writers fare; empty for the built-ins.
	Safety string
	// LongValues says how a value over 255 octets is written; empty for
	// the built-ins.
	LongValues string
	// Refused, when not empty, says why this host cannot be used for
	// dns-persist-01; NewPublisher fails with it.
	Refused string
}

// EnvVar describes one environment variable of a provider.
type EnvVar struct {
	Name        string
	Description string
	Required    bool
}

// provider is a registry entry.
type provider struct {
	Info

	// details is Markdown shown in the docs below the variables: how the
	// provider behaves, what a script or endpoint must do.
	details string

	// newFromEnv builds the publisher from the environment; nil for "none".
	newFromEnv func() (persist.Publisher, error)
}

// byName returns the registry sorted by name.
func byName() []provider {
	ps := registry()
	slices.SortFunc(ps, func(a, b provider) int { return cmp.Compare(a.Name, b.Name) })

	return ps
}

// Names returns the provider names, sorted.
func Names() []string {
	ps := byName()
	names := make([]string, len(ps))

	for i, p := range ps {
		names[i] = p.Name
	}

	return names
}

// Lookup returns the provider called name (case-insensitive).
func Lookup(name string) (Info, bool) {
	p, ok := find(name)

	return p.Info, ok
}

// All returns every provider, sorted by name.
func All() []Info {
	ps := byName()
	infos := make([]Info, len(ps))

	for i, p := range ps {
		infos[i] = p.Info
	}

	return infos
}

// NewPublisher returns the publisher called name, configured from the
// environment the way the provider's NewDNSProvider does. "none" returns
// (nil, nil): read-only, as persist.Enable understands a nil Publisher. An
// unknown name is an error listing the known ones; a missing or malformed
// variable is an error naming it (never a secret's value).
//
// "manual" returns a *manual.DNSProvider that fails fast until given a
// check: callers able to ask the zone's authoritative servers should type
// assert it and use its WithCheck method.
func NewPublisher(name string) (persist.Publisher, error) {
	p, ok := find(name)
	if !ok {
		return nil, fmt.Errorf("unknown dns-persist provider %q; known providers: %s", name, strings.Join(Names(), ", "))
	}

	if p.Refused != "" {
		return nil, fmt.Errorf("%s is refused: %s", p.Name, p.Refused)
	}

	if p.newFromEnv == nil {
		return nil, nil
	}

	pub, err := p.newFromEnv()
	if err != nil {
		return nil, err
	}

	return pub, nil
}

func find(name string) (provider, bool) {
	name = strings.ToLower(strings.TrimSpace(name))

	for _, p := range registry() {
		if p.Name == name || slices.Contains(p.Aliases, name) {
			return p, true
		}
	}

	return provider{}, false
}
