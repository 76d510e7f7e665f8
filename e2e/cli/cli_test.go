package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// storedCert reads and cross-checks the stored files of domain: the
// certificate parses and names domain, the key matches it, the .json names
// the domain.
func storedCert(t *testing.T, path, domain string) *x509.Certificate {
	t.Helper()

	leaf := e2etest.StoredCert(t, path, domain)
	base := e2etest.CertBase(path, domain)

	if err := leaf.VerifyHostname(domain); err != nil {
		t.Errorf("stored certificate does not cover %s: %v", domain, err)
	}

	if _, err := os.Stat(base + ".issuer.crt"); err != nil {
		t.Errorf("issuer certificate not stored: %v", err)
	}

	raw, err := os.ReadFile(base + ".json")
	if err != nil {
		t.Fatal(err)
	}

	var res certificate.Resource
	if err := json.Unmarshal(raw, &res); err != nil || res.Domain != domain {
		t.Errorf("%s.json: domain %q, err %v; want %s", base, res.Domain, err, domain)
	}

	return leaf
}

// TestLifecycle follows one domain through run, renew, check and remove.
func TestLifecycle(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "www")
	name := e2etest.RecordName(d)

	var first *x509.Certificate

	t.Run("run publishes one record and stores the certificate", func(t *testing.T) {
		before := e2etest.SOASerial(t, b)

		res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run")
		if res.Code != 0 {
			t.Fatalf("run failed:\n%s", res)
		}

		if after := e2etest.SOASerial(t, b); after != before+1 {
			t.Errorf("SOA serial %d -> %d, want exactly one DNS write", before, after)
		}

		if got := e2etest.TXT(t, b, name); len(got) != 1 || !strings.Contains(got[0], "accounturi=") {
			t.Errorf("TXT at %s = %q, want one dns-persist-01 value", name, got)
		}

		if len(lines(res.Stdout, d+": obtained (expires ")) != 1 {
			t.Errorf("stdout lacks the obtained line:\n%s", res)
		}

		first = storedCert(t, h.Path, d)
	})

	if first == nil {
		t.FailNow()
	}

	t.Run("renew issues a new certificate without writing DNS", func(t *testing.T) {
		before := e2etest.SOASerial(t, b)

		res := h.Run(t, "--dns-persist", "rfc2136", "-d", d, "renew", "--days", "9999", "--no-random-sleep")
		if res.Code != 0 {
			t.Fatalf("renew failed:\n%s", res)
		}

		if after := e2etest.SOASerial(t, b); after != before {
			t.Errorf("SOA serial %d -> %d, want no DNS write on renewal", before, after)
		}

		second := storedCert(t, h.Path, d)
		if second.SerialNumber.Cmp(first.SerialNumber) == 0 {
			t.Error("renew kept the old certificate")
		}

		if len(lines(res.Stdout, d+": renewed (expires ")) != 1 || len(lines(res.Stdout, "renewed 1, not due 0, failed 0 in ")) != 1 {
			t.Errorf("unexpected renew output:\n%s", res)
		}
	})

	t.Run("renew of a fresh certificate is not due", func(t *testing.T) {
		res := h.Run(t, "renew", "--days", "0", "--no-random-sleep", "--ari-disable")
		if res.Code != 0 || len(lines(res.Stdout, "renewed 0, not due 1, failed 0 in ")) != 1 {
			t.Errorf("want exit 0 and nothing renewed:\n%s", res)
		}
	})

	t.Run("record prints the published value", func(t *testing.T) {
		res := h.Run(t, "-d", d, "record", "--json")
		if res.Code != 0 {
			t.Fatalf("record failed:\n%s", res)
		}

		var recs []struct {
			Domain, Name, Value, Issuer, AccountURI string
			Draft                                   string
			TTL                                     uint32
		}

		if err := json.Unmarshal([]byte(res.Stdout), &recs); err != nil || len(recs) != 1 {
			t.Fatalf("record --json: %v\n%s", err, res)
		}

		got := e2etest.TXT(t, b, name)
		if recs[0].Name != name || len(got) != 1 || recs[0].Value != got[0] || recs[0].Draft != "draft-01" {
			t.Errorf("record = %+v, published %q", recs[0], got)
		}
	})

	t.Run("check reports ok", func(t *testing.T) {
		res := h.Run(t, "-d", d, "check")
		if res.Code != 0 || !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(d)+`\s+ok\s`).MatchString(res.Stdout) {
			t.Errorf("want %s ok and exit 0:\n%s", d, res)
		}
	})

	t.Run("check reports missing after the record is deleted", func(t *testing.T) {
		values := e2etest.TXT(t, b, name)
		for _, v := range values {
			if err := b.DeleteTXT(context.Background(), name, v); err != nil {
				t.Fatal(err)
			}
		}

		res := h.Run(t, "check", "--json")
		if res.Code != 1 {
			t.Errorf("exit %d, want 1:\n%s", res.Code, res)
		}

		var results []struct{ Domain, Status string }
		if err := json.Unmarshal([]byte(res.Stdout), &results); err != nil || len(results) != 1 ||
			results[0].Domain != d || results[0].Status != "missing" {
			t.Errorf("check --json = %+v (%v), want %s missing", results, err, d)
		}

		// Put it back for the next step.
		for _, v := range values {
			if err := b.AddTXT(context.Background(), name, v); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("remove deletes only this account's value", func(t *testing.T) {
		const foreign = "ca.example; accounturi=https://ca.example/acct/other"
		if err := b.AddTXT(context.Background(), name, foreign); err != nil {
			t.Fatal(err)
		}

		res := h.Run(t, "--dns-persist", "rfc2136", "-d", d, "remove")
		if res.Code != 0 || len(lines(res.Stdout, d+": removed ")) != 1 {
			t.Fatalf("remove failed:\n%s", res)
		}

		if got := e2etest.TXT(t, b, name); !reflect.DeepEqual(got, []string{foreign}) {
			t.Errorf("TXT after remove = %q, want only %q", got, foreign)
		}

		res = h.Run(t, "-d", d, "check")
		if res.Code != 1 {
			t.Errorf("check after remove: exit %d, want 1:\n%s", res.Code, res)
		}
	})
}

// TestRenewAllInParallelWritesNothing renews 20 stored certificates four at
// a time over one account: all renewed, the summary says so, and DNS sees
// no write.
func TestRenewAllInParallelWritesNothing(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	const n = 20

	for i := range n {
		d := e2etest.Domain(b, "host"+string(rune('a'+i)))

		args := []string{"--dns-persist", "rfc2136", "-d", d, "run"}
		if i == 0 {
			args = append([]string{"--accept-tos"}, args...)
		}

		if res := h.Run(t, args...); res.Code != 0 {
			t.Fatalf("run %s:\n%s", d, res)
		}
	}

	updates := e2etest.UpdateCount(t, b)
	before := e2etest.SOASerial(t, b)

	res := h.Run(t, "renew", "--days", "9999", "--no-random-sleep", "--parallel", "4")
	if res.Code != 0 {
		t.Fatalf("renew failed:\n%s", res)
	}

	if got := len(lines(res.Stdout, "host")); got != n {
		t.Errorf("%d per-certificate lines, want %d:\n%s", got, n, res)
	}

	if got := len(regexp.MustCompile(`(?m)^host[a-t]\.\S+: renewed \(expires `).FindAllString(res.Stdout, -1)); got != n {
		t.Errorf("%d renewed lines, want %d:\n%s", got, n, res)
	}

	if !regexp.MustCompile(`(?m)^renewed 20, not due 0, failed 0 in \d+\.\ds$`).MatchString(res.Stdout) {
		t.Errorf("summary line missing or wrong:\n%s", res)
	}

	if after := e2etest.UpdateCount(t, b); after != updates || e2etest.SOASerial(t, b) != before {
		t.Errorf("renewals wrote to DNS: %d -> %d updates", updates, after)
	}
}

// TestConcurrentRenewsShareThePath starts two renewals on one --path at
// once: the lock serializes them, both succeed, storage stays consistent.
func TestConcurrentRenewsShareThePath(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "shared")

	if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("run:\n%s", res)
	}

	var (
		wg      sync.WaitGroup
		results [2]e2etest.Result
	)

	for i := range results {
		wg.Add(1)

		go func() {
			defer wg.Done()

			results[i] = h.Run(t, "renew", "--days", "9999", "--no-random-sleep")
		}()
	}

	wg.Wait()

	for i, res := range results {
		if res.Code != 0 {
			t.Errorf("renew %d:\n%s", i, res)
		}
	}

	storedCert(t, h.Path, d)

	leftovers, err := filepath.Glob(filepath.Join(h.Path, "certificates", ".*.tmp-*"))
	if err != nil || len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v %v", leftovers, err)
	}
}
