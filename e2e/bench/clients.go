package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// Client identifiers, as the -clients flag takes them.
const (
	idPersist = "lego-persist"
	idLight   = "lego-persist-light"
	idV5      = "lego-v5"
	idV4      = "lego-v4"
)

// client is one ACME client under test: how to obtain and renew with it
// against a bed.
type client struct {
	id    string
	title string // for the report
	bin   string

	// issueArgs obtains one certificate for domains (registering the
	// account on first use).
	issueArgs func(h *home, domains []string) []string
	// renewArgs renews the certificate of domains now.
	renewArgs func(h *home, domains []string) []string
	// renewAllArgs renews every stored certificate in one process, parallel
	// at a time; nil when the client has no such command.
	renewAllArgs func(h *home, parallel int) []string
	// env is added to the child's environment (after the bed's).
	env func(b *bed.Bed) []string
	// manual: the client asks a human to publish its record; the harness's
	// responder does it (through the bed, so BIND sees no UPDATE from the
	// client but the SOA serial moves).
	manual bool
}

// home is one client's storage and account on one bed.
type home struct {
	b     *bed.Bed
	path  string
	email string
}

const benchEmail = "bench@example.com"

func dFlags(domains []string) []string {
	args := make([]string, 0, 2*len(domains))
	for _, d := range domains {
		args = append(args, "-d", d)
	}

	return args
}

// newPersist is lego-persist with the rfc2136 publisher, checking through
// the bed's BIND only, every other setting at its default.
func newPersist(bin string) *client {
	globals := func(h *home) []string {
		return []string{
			"--server", h.b.DirectoryURL,
			"--path", h.path,
			"--email", h.email,
			"--accept-tos",
			"--dns-persist", "rfc2136",
			"--dns-persist.resolvers", h.b.DNSAddr,
			"--dns-persist.propagation.disable-ans",
		}
	}

	return &client{
		id:    idPersist,
		title: "lego-persist (dns-persist-01)",
		bin:   bin,
		issueArgs: func(h *home, domains []string) []string {
			return append(append(globals(h), dFlags(domains)...), "run")
		},
		renewArgs: func(h *home, domains []string) []string {
			return append(append(globals(h), dFlags(domains)...), "renew", "--days", "9999", "--no-random-sleep")
		},
		renewAllArgs: func(h *home, parallel int) []string {
			return append(globals(h), "renew", "--days", "9999", "--no-random-sleep", "--parallel", strconv.Itoa(parallel))
		},
		env: func(*bed.Bed) []string { return nil },
	}
}

// newPersistLight is the light build (make build-light) with the same
// invocation as newPersist.
func newPersistLight(bin string) *client {
	c := newPersist(bin)
	c.id, c.title = idLight, "lego-persist light build (dns-persist-01)"

	return c
}

// newV5 is lego v5.6.0 with --dns-persist: its manual provider in wait mode
// with the smallest wait it accepts (0 s), checking through the bed's BIND
// only, every other setting at its default.
func newV5(bin string) *client {
	args := func(h *home, domains []string, extra ...string) []string {
		a := []string{
			"run",
			"--server", h.b.DirectoryURL,
			"--path", h.path,
			"--email", h.email,
			"--accept-tos",
			"--dns-persist",
			"--dns-persist.resolvers", h.b.DNSAddr,
			"--dns-persist.propagation.disable-ans",
		}

		return append(append(a, dFlags(domains)...), extra...)
	}

	return &client{
		id:    idV5,
		title: "lego v5.6.0 (dns-persist-01, manual/wait)",
		bin:   bin,
		issueArgs: func(h *home, domains []string) []string {
			return args(h, domains)
		},
		renewArgs: func(h *home, domains []string) []string {
			return args(h, domains, "--renew-force", "--no-random-sleep")
		},
		env: func(*bed.Bed) []string {
			return []string{"DNSPERSIST_MANUAL_MODE=wait", "DNSPERSIST_MANUAL_WAIT=0"}
		},
		manual: true,
	}
}

// newV4 is lego v4.35.2 with dns-01 through its rfc2136 provider against
// the bed's BIND, checking through that BIND only, without the provider's
// pause between the names of one certificate, every other setting at its
// default.
func newV4(bin string) *client {
	globals := func(h *home, domains []string) []string {
		a := []string{
			"--server", h.b.DirectoryURL,
			"--path", h.path,
			"--email", h.email,
			"--accept-tos",
			"--dns", "rfc2136",
			"--dns.resolvers", h.b.DNSAddr,
			"--dns.propagation-disable-ans",
		}

		return append(a, dFlags(domains)...)
	}

	return &client{
		id:    idV4,
		title: "lego v4.35.2 (dns-01, rfc2136)",
		bin:   bin,
		issueArgs: func(h *home, domains []string) []string {
			return append(globals(h, domains), "run")
		},
		renewArgs: func(h *home, domains []string) []string {
			return append(globals(h, domains), "renew", "--days", "9999", "--no-random-sleep")
		},
		env: func(b *bed.Bed) []string {
			return []string{
				"RFC2136_NAMESERVER=" + b.DNSAddr,
				"RFC2136_TSIG_KEY=" + b.TSIGKey,
				"RFC2136_TSIG_SECRET=" + b.TSIGSecret,
				"RFC2136_TSIG_ALGORITHM=" + b.TSIGAlgorithm,
				// The provider solves the names of one certificate one
				// after another, 60 s apart by default; 0 keeps the
				// sequence but drops that courtesy pause (see the report).
				"RFC2136_SEQUENCE_INTERVAL=0",
			}
		},
	}
}

// childEnv is the environment of a client process: this process's, without
// any setting that could point a client elsewhere, plus the bed's and the
// client's.
func childEnv(c *client, b *bed.Bed) []string {
	var env []string

	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LEGO_") || strings.HasPrefix(name, "DNSUPDATE_") ||
			strings.HasPrefix(name, "RFC2136_") || strings.HasPrefix(name, "DNSPERSIST_") {
			continue
		}

		env = append(env, kv)
	}

	env = append(env, b.Env()...)

	return append(env, c.env(b)...)
}

// v5 logs the record its manual provider wants, e.g.
//
//	level=WARN msg="Waiting for TXT record creation." wait=0s target=_validation-persist.a.persist.test. value="\"pebble.letsencrypt.org; accounturi=...\""
var (
	v5AskRE    = regexp.MustCompile(`msg="Waiting for TXT record creation\."`)
	v5TargetRE = regexp.MustCompile(`\btarget=(\S+)`)
	v5ValueRE  = regexp.MustCompile(`\bvalue=("(?:[^"\\]|\\.)*")`)
)

// responder plays the human behind lego v5's manual provider: it publishes,
// through the bed, each record the client's output asks for.
type responder struct {
	ctx context.Context
	b   *bed.Bed

	mu        sync.Mutex
	published int
	err       error
}

func (r *responder) line(l string) {
	if !v5AskRE.MatchString(l) {
		return
	}

	name, value, err := parseV5Ask(l)
	if err == nil {
		err = r.b.AddTXT(r.ctx, name, value)
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	if err != nil {
		if r.err == nil {
			r.err = fmt.Errorf("publish the record lego v5 asked for: %w", err)
		}

		return
	}

	r.published++
}

// parseV5Ask extracts the record name and value from lego v5's request
// line. The value is Go-quoted twice (the provider's %q per 255-octet
// string, then slog's quoting); several strings are concatenated.
func parseV5Ask(l string) (name, value string, err error) {
	t := v5TargetRE.FindStringSubmatch(l)
	v := v5ValueRE.FindStringSubmatch(l)

	if t == nil || v == nil {
		return "", "", fmt.Errorf("unexpected request line %q", l)
	}

	outer, err := strconv.Unquote(v[1])
	if err != nil {
		return "", "", fmt.Errorf("value in %q: %w", l, err)
	}

	var sb strings.Builder

	for rest := strings.TrimSpace(outer); rest != ""; rest = strings.TrimSpace(rest) {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return "", "", fmt.Errorf("value in %q: %w", l, err)
		}

		s, err := strconv.Unquote(q)
		if err != nil {
			return "", "", fmt.Errorf("value in %q: %w", l, err)
		}

		sb.WriteString(s)

		rest = rest[len(q):]
	}

	return t[1], sb.String(), nil
}
