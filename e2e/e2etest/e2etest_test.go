package e2etest

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

func TestHashedPathMatchesTheSpecVectors(t *testing.T) {
	// SPEC.md's vectors: RFC 7638's example key thumbprint and account URL.
	const (
		thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
		accountURL = "https://ca.example/acct/123"
	)

	tests := []struct{ domain, want string }{
		{"example.com", "sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
		{"*", "sha-256/NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug"},
	}

	for _, tt := range tests {
		if got := hashedPath(thumbprint, tt.domain, accountURL); got != tt.want {
			t.Errorf("hashedPath(%q) = %q, want %q", tt.domain, got, tt.want)
		}
	}
}

func TestRecordNameOfAWildcardIsItsBaseDomains(t *testing.T) {
	tests := []struct{ domain, want string }{
		{"www.example.test", "_validation-persist.www.example.test."},
		{"*.example.test", "_validation-persist.example.test."},
	}

	for _, tt := range tests {
		if got := RecordName(tt.domain); got != tt.want {
			t.Errorf("RecordName(%q) = %q, want %q", tt.domain, got, tt.want)
		}
	}
}

func TestDomainIsTheLabelInTheBedsZoneWithoutTrailingDot(t *testing.T) {
	b := &bed.Bed{Zone: "example.test."}

	if got := Domain(b, "www"); got != "www.example.test" {
		t.Errorf("Domain = %q, want www.example.test", got)
	}
}

func TestHarnessArgsNameTheCAPathEmailAndOnlyResolver(t *testing.T) {
	h := &Harness{
		Bed:    &bed.Bed{DNSAddr: "127.0.0.1:5353"},
		Server: "https://127.0.0.1:14000/dir",
		Path:   "/tmp/x/.lego",
		Email:  "a@example.com",
	}

	base := []string{
		"--server", "https://127.0.0.1:14000/dir",
		"--path", "/tmp/x/.lego",
		"--email", "a@example.com",
		"--dns-persist.resolvers", "127.0.0.1:5353",
		"--dns-persist.propagation.disable-ans",
	}

	if got, want := h.Args("run"), append(slices.Clone(base), "run"); !slices.Equal(got, want) {
		t.Errorf("without PollInterval: %q, want %q", got, want)
	}

	h.PollInterval = "50ms"

	if got, want := h.Args("run"), append(slices.Clone(base), "--dns-persist.propagation.interval", "50ms", "run"); !slices.Equal(got, want) {
		t.Errorf("with PollInterval: %q, want %q", got, want)
	}
}

func TestExecReportsOutputsAndExitCode(t *testing.T) {
	res := Exec(context.Background(), t, "/bin/sh", []string{"E2ETEST_WORD=out"}, "-c", `echo "$E2ETEST_WORD"; echo err >&2; exit 3`)

	if res.Code != 3 || res.Stdout != "out\n" || res.Stderr != "err\n" || res.State == nil {
		t.Errorf("got %+v, want exit 3, stdout out, stderr err and the process state", res)
	}
}

func TestExitCode(t *testing.T) {
	if code, err := ExitCode(nil); code != 0 || err != nil {
		t.Errorf("ExitCode(nil) = %d, %v; want 0, nil", code, err)
	}

	if code, err := ExitCode(exec.Command("/bin/sh", "-c", "exit 7").Run()); code != 7 || err != nil {
		t.Errorf("ExitCode(exit 7) = %d, %v; want 7, nil", code, err)
	}

	notRun := exec.Command("/nonexistent/e2etest-binary").Run()
	if _, err := ExitCode(notRun); !errors.Is(err, notRun) {
		t.Errorf("ExitCode(start failure) = %v; want the error back", err)
	}
}

func TestCountingPublisherWithoutNextCountsAndKeepsValuesInOrder(t *testing.T) {
	var p CountingPublisher

	for _, v := range []string{"a", "b"} {
		if err := p.Publish(context.Background(), "_validation-persist.x.test.", v); err != nil {
			t.Fatal(err)
		}
	}

	got := p.Published()
	if p.Calls() != 2 || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("%d calls, values %q; want 2 calls, [a b]", p.Calls(), got)
	}

	got[0] = "changed"
	if p.Published()[0] != "a" {
		t.Error("Published returned the publisher's own slice")
	}
}
