package manual

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testFQDN  = "_validation-persist.example.com."
	testValue = "ca.example; accounturi=https://ca.example/acct/1"
	testLine  = `_validation-persist.example.com. 3600 IN TXT "ca.example; accounturi=https://ca.example/acct/1"`
)

// servedAfter returns a Check that reports the record served from its n-th
// call on, and a counter of its calls.
func servedAfter(n int32) (CheckFunc, *atomic.Int32) {
	calls := new(atomic.Int32)

	return func(ctx context.Context, fqdn, value string) (bool, error) {
		if fqdn != testFQDN || value != testValue {
			return false, errors.New("checked the wrong record")
		}

		return calls.Add(1) >= n, nil
	}, calls
}

func newProvider(t *testing.T, cfg Config) (*DNSProvider, *bytes.Buffer) {
	t.Helper()

	out := new(bytes.Buffer)
	cfg.Out = out

	p, err := NewDNSProviderConfig(&cfg)
	if err != nil {
		t.Fatal(err)
	}

	return p, out
}

func TestPublishFailsFastWithLineWhenNobodyCanAct(t *testing.T) {
	check, calls := servedAfter(1)

	tests := []struct {
		name string
		cfg  Config
	}{
		{"not interactive", Config{Interactive: false, Check: check}},
		{"no check", Config{Interactive: true}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := newProvider(t, tt.cfg)

			err := p.Publish(t.Context(), testFQDN, testValue)
			if !errors.Is(err, ErrNonInteractive) {
				t.Fatalf("Publish = %v, want ErrNonInteractive", err)
			}

			if !strings.HasSuffix(err.Error(), "\n"+testLine) {
				t.Errorf("error does not end with the line to publish:\n%s\nwant line:\n%s", err, testLine)
			}

			if out.Len() != 0 {
				t.Errorf("printed instructions nobody will read: %q", out.String())
			}
		})
	}

	if calls.Load() != 0 {
		t.Errorf("Check called %d times in a fail-fast run", calls.Load())
	}
}

func TestPublishPrintsLineAndReturnsOnceServed(t *testing.T) {
	check, calls := servedAfter(3)
	p, out := newProvider(t, Config{Interactive: true, Check: check, Interval: time.Millisecond, Timeout: time.Hour})

	if err := p.Publish(t.Context(), testFQDN, testValue); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	if got := calls.Load(); got != 3 {
		t.Errorf("Check called %d times, want 3 (until it reported the record served)", got)
	}

	if !strings.Contains(out.String(), "\n"+testLine+"\n") {
		t.Errorf("instructions do not show the line on its own:\n%s", out)
	}
}

func TestPublishTimeoutErrorCarriesLine(t *testing.T) {
	never := func(context.Context, string, string) (bool, error) { return false, errors.New("SERVFAIL from ns1") }
	p, _ := newProvider(t, Config{Interactive: true, Check: never, Interval: time.Millisecond, Timeout: 20 * time.Millisecond})

	err := p.Publish(t.Context(), testFQDN, testValue)
	if !errors.Is(err, ErrNotServed) {
		t.Fatalf("Publish = %v, want ErrNotServed", err)
	}

	for _, want := range []string{testFQDN, "SERVFAIL from ns1", "\n" + testLine} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestPublishStopsWhenContextEnds(t *testing.T) {
	never := func(context.Context, string, string) (bool, error) { return false, nil }
	p, _ := newProvider(t, Config{Interactive: true, Check: never, Interval: time.Millisecond, Timeout: time.Hour})

	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := p.Publish(ctx, testFQDN, testValue)
	if !errors.Is(err, context.Canceled) || !strings.HasSuffix(err.Error(), testLine) {
		t.Errorf("Publish with a cancelled context = %v, want context.Canceled and the line", err)
	}
}

func TestWithCheckLeavesOriginalUnchanged(t *testing.T) {
	p, _ := newProvider(t, Config{Interactive: true, Interval: time.Millisecond})
	check, _ := servedAfter(1)

	if err := p.WithCheck(check).Publish(t.Context(), testFQDN, testValue); err != nil {
		t.Fatalf("Publish with a check: %v", err)
	}

	if err := p.Publish(t.Context(), testFQDN, testValue); !errors.Is(err, ErrNonInteractive) {
		t.Errorf("original provider gained the check: Publish = %v", err)
	}
}

func TestLineUsesConfiguredTTL(t *testing.T) {
	p, _ := newProvider(t, Config{TTL: 300})

	want := `_validation-persist.example.com. 300 IN TXT "ca.example; accounturi=https://ca.example/acct/1"`
	if got := p.Line(testFQDN, testValue); got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func TestNewDNSProviderReadsEnvironment(t *testing.T) {
	t.Setenv(EnvTTL, "600")
	t.Setenv(EnvPropagationTimeout, "120")
	t.Setenv(EnvPollingInterval, "2")

	p, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if p.ttl != 600 || p.timeout != 2*time.Minute || p.interval != 2*time.Second {
		t.Errorf("ttl, timeout, interval = %d, %s, %s; want 600, 2m0s, 2s", p.ttl, p.timeout, p.interval)
	}
}

func TestNewDNSProviderRejectsMalformedNumbers(t *testing.T) {
	tests := []struct{ name, value string }{
		{EnvTTL, "1h"},
		{EnvPropagationTimeout, "-5"},
		{EnvPollingInterval, "0"},
	}

	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Setenv(tt.name, tt.value)

			_, err := NewDNSProvider()
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("NewDNSProvider = %v, want an error naming %s", err, tt.name)
			}
		})
	}
}

func TestDevNullAndPipesAreNotTerminals(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()

	for name, f := range map[string]*os.File{"/dev/null": devNull, "pipe": r} {
		if isTerminal(f) {
			t.Errorf("%s counts as a terminal: Publish would wait for a person who is not there", name)
		}
	}
}
