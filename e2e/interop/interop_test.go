package interop

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// TestLegoListsAndRenewsWhatLegoPersistObtained: a certificate and account
// written by `lego-persist run` are read by lego v4.35.2 (`list`, `list
// --accounts`) and renewed by it (`renew`, through its own dns-01 rfc2136
// solver); lego-persist then reads lego's files (`list`) and renews them
// again with the existing record, writing nothing to DNS. A wildcard
// certificate exercises the "_" file names.
func TestLegoListsAndRenewsWhatLegoPersistObtained(t *testing.T) {
	tests := []struct {
		name   string
		labels []string // the first names the files
	}{
		{name: "plain name", labels: []string{"www"}},
		{name: "wildcard and apex", labels: []string{"*.wild", "wild"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			b := bed.New(t, bed.Options{})
			s := newShared(t, b)

			var domains, domainArgs []string

			for _, l := range tt.labels {
				domains = append(domains, e2etest.Domain(b, l))
				domainArgs = append(domainArgs, "-d", e2etest.Domain(b, l))
			}

			legoPersistThenLego(t, s, domains, domainArgs)
		})
	}
}

func legoPersistThenLego(t *testing.T, s *shared, domains, domainArgs []string) {
	b, main := s.Bed, domains[0]
	before := e2etest.SOASerial(t, b)

	if res := s.persist(t, append(append([]string{"--accept-tos", "--dns-persist", "rfc2136"}, domainArgs...), "run")...); res.Code != 0 {
		t.Fatalf("lego-persist run:\n%s", res)
	}

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Fatalf("SOA serial %d -> %d after lego-persist run, want one DNS write", before, got)
	}

	first := storedCert(t, s.Path, domains)
	crtPath := e2etest.CertBase(s.Path, main) + ".crt"

	t.Run("lego list shows the certificate and the account", func(t *testing.T) {
		res := s.lego(t, "list", "--accounts")
		if res.Code != 0 {
			t.Fatalf("lego list:\n%s", res)
		}

		for _, want := range []string{
			"  Email: " + s.Email + "\n",
			"  Server: " + strings.TrimPrefix(strings.TrimSuffix(b.DirectoryURL, "/dir"), "https://") + "\n",
			"    Certificate Path: " + crtPath + "\n",
		} {
			if !strings.Contains(res.Stdout, want) {
				t.Errorf("lego list lacks %q:\n%s", want, res)
			}
		}

		m := regexp.MustCompile(`(?m)^    Domains: (.*)$`).FindStringSubmatch(res.Stdout)
		if m == nil || !sameNames(strings.Split(m[1], ", "), domains) {
			t.Errorf("lego list's Domains line %q, want %q:\n%s", m, domains, res)
		}
	})

	var renewed *x509.Certificate

	t.Run("lego renew replaces the certificate", func(t *testing.T) {
		args := append(append([]string{"--dns", "rfc2136"}, domainArgs...), "renew", "--days", "9999", "--no-random-sleep")

		res := s.lego(t, args...)
		if res.Code != 0 {
			t.Fatalf("lego renew:\n%s", res)
		}

		renewed = storedCert(t, s.Path, domains)
		if renewed.SerialNumber.Cmp(first.SerialNumber) == 0 {
			t.Fatalf("lego renew exited 0 but kept the certificate lego-persist obtained:\n%s", res)
		}
	})

	if renewed == nil {
		t.FailNow()
	}

	t.Run("lego-persist list reads lego's files", func(t *testing.T) {
		res := s.persist(t, "list", "--json")
		if res.Code != 0 {
			t.Fatalf("lego-persist list:\n%s", res)
		}

		var entries []struct {
			Domain   string
			Names    []string
			NotAfter time.Time
			Record   string
		}

		if err := json.Unmarshal([]byte(res.Stdout), &entries); err != nil || len(entries) != 1 {
			t.Fatalf("list --json: %v\n%s", err, res)
		}

		e := entries[0]
		if e.Domain != main || !sameNames(e.Names, domains) || !e.NotAfter.Equal(renewed.NotAfter) || e.Record != "ok" {
			t.Errorf("list entry %+v, want %s %q expiring %s (lego's renewal) with record ok", e, main, domains, renewed.NotAfter)
		}
	})

	t.Run("lego-persist renews lego's renewal without a DNS write", func(t *testing.T) {
		serialBefore, updatesBefore := e2etest.SOASerial(t, b), e2etest.UpdateCount(t, b)

		res := s.persist(t, "--dns-persist", "rfc2136", "renew", "--days", "9999", "--no-random-sleep")
		if res.Code != 0 {
			t.Fatalf("lego-persist renew:\n%s", res)
		}

		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(main) + `: renewed \(expires `).MatchString(res.Stdout) {
			t.Errorf("no renewed line for %s:\n%s", main, res)
		}

		if third := storedCert(t, s.Path, domains); third.SerialNumber.Cmp(renewed.SerialNumber) == 0 {
			t.Errorf("lego-persist renew kept lego's certificate:\n%s", res)
		}

		if got, n := e2etest.SOASerial(t, b), e2etest.UpdateCount(t, b); got != serialBefore || n != updatesBefore {
			t.Errorf("renewal wrote to DNS: SOA serial %d -> %d, UPDATEs %d -> %d", serialBefore, got, updatesBefore, n)
		}
	})
}

// TestLegoPersistUsesAnAccountLegoRegistered: lego v4.35.2 registers the
// account (and obtains a certificate with dns-01); lego-persist, without
// --accept-tos, orders with that account as stored: account.json and the
// key are byte-identical afterwards, no second account appears, and the
// published record names lego's account URL.
func TestLegoPersistUsesAnAccountLegoRegistered(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	s := newShared(t, b)

	if res := s.lego(t, "--accept-tos", "--dns", "rfc2136", "-d", e2etest.Domain(b, "lego"), "run"); res.Code != 0 {
		t.Fatalf("lego run:\n%s", res)
	}

	accountPath := onlyAccount(t, s.Path)
	keyPath := filepath.Join(filepath.Dir(accountPath), "keys", s.Email+".key")
	accountBefore, keyBefore := readFile(t, accountPath), readFile(t, keyPath)

	var account struct {
		Email        string
		Registration struct{ URI string }
	}

	if err := json.Unmarshal(accountBefore, &account); err != nil || account.Registration.URI == "" {
		t.Fatalf("lego's %s: %v, URI %q", accountPath, err, account.Registration.URI)
	}

	d := e2etest.Domain(b, "persist")
	before := e2etest.SOASerial(t, b)

	res := s.persist(t, "--dns-persist", "rfc2136", "-d", d, "run")
	if res.Code != 0 {
		t.Fatalf("lego-persist run with lego's account:\n%s", res)
	}

	storedCert(t, s.Path, []string{d})

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d, want one DNS write", before, got)
	}

	want := b.IssuerDomains[0] + "; accounturi=" + account.Registration.URI
	if got := e2etest.TXT(t, b, e2etest.RecordName(d)); !slices.Equal(got, []string{want}) {
		t.Errorf("TXT at %s = %q, want [%q] (lego's account)", e2etest.RecordName(d), got, want)
	}

	if onlyAccount(t, s.Path) != accountPath {
		t.Error("lego-persist stored its account somewhere else")
	}

	if got := readFile(t, accountPath); string(got) != string(accountBefore) {
		t.Errorf("account.json changed:\n--- lego wrote\n%s\n--- now\n%s", accountBefore, got)
	}

	if got := readFile(t, keyPath); string(got) != string(keyBefore) {
		t.Error("the account key file changed")
	}
}

// onlyAccount returns the path of the one account.json under path, failing
// when there is none or more than one.
func onlyAccount(t *testing.T, path string) string {
	t.Helper()

	matches, err := filepath.Glob(filepath.Join(path, "accounts", "*", "*", "account.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("accounts stored under %s: %q (%v), want exactly one", path, matches, err)
	}

	return matches[0]
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()

	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}

	return b
}

// storedCert parses the stored certificate whose first name is domains[0]
// (lego's file name: "_" for "*") and checks that it names exactly domains
// and that the stored key belongs to it.
func storedCert(t *testing.T, path string, domains []string) *x509.Certificate {
	t.Helper()

	leaf := e2etest.StoredCert(t, path, domains[0])

	if !sameNames(leaf.DNSNames, domains) {
		t.Errorf("%s.crt names %q, want %q", e2etest.CertBase(path, domains[0]), leaf.DNSNames, domains)
	}

	return leaf
}

// sameNames reports whether a and b hold the same names in any order.
func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)

	return slices.Equal(a, b)
}
