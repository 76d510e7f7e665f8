package faults

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// ourFrames are the code paths whose goroutines must all end with the
// Obtain call that started them: the library and lego under it.
var ourFrames = []string{
	"github.com/lego-persist/lego-persist/providers/",
	"github.com/lego-persist/lego-persist/internal/",
	"github.com/go-acme/lego/v4/",
}

// TestObtainLeavesNoGoroutineBehind runs a batch of Obtain calls that
// succeed and that fail in different places (DNS timeout, refused
// challenge, CA errors, propagation timeout) and then checks that no
// goroutine with a frame in the library or lego is left. It does not run in
// parallel with the other tests, whose goroutines would be counted.
func TestObtainLeavesNoGoroutineBehind(t *testing.T) {
	b := bed.New(t, bed.Options{})
	before := runtime.NumGoroutine()

	run := func(name string, dirURL string, wantErr bool, opts []persist.Option, domains ...string) {
		t.Helper()

		client, cfg := e2etest.Account(t, b, dirURL)

		if err := persist.Enable(client, cfg, publisher(t, b), opts...); err != nil {
			t.Fatal(err)
		}

		_, err := e2etest.Obtain(client, domains...)
		if (err != nil) != wantErr {
			t.Fatalf("%s: obtain error %v, want error: %v", name, err, wantErr)
		}
	}

	silentFront := newDNSFront(t, b.DNSAddr, silent)
	lag := newLagging(0)
	lag.hideForever(true)
	stuckFront := newDNSFront(t, b.DNSAddr, lag.fault)

	foreign, err := b.NewProxy(context.Background(), setChallengeField("accounturi", "https://127.0.0.1:1/my-account/1"))
	if err != nil {
		t.Fatal(err)
	}

	flaky := newCAFront(t, b, func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/authZ/") && afterChallenge(seen) && count(injectedOnly(seen), http.MethodPost, "/authZ/") < 2 {
			problem(w, http.StatusServiceUnavailable, serverErrType, "busy", nil)
			return true
		}

		return false
	})

	run("three names, success", b.DirectoryURL, false, loopback(b.DNSAddr), e2etest.Domain(b, "leak1"), e2etest.Domain(b, "leak2"), "*."+e2etest.Domain(b, "leak2"))
	run("renewal, success", b.DirectoryURL, false, loopback(b.DNSAddr), e2etest.Domain(b, "leak1"))
	run("DNS timeout", b.DirectoryURL, true, loopback(silentFront.Addr, persist.WithDNSTimeout(100*time.Millisecond)), e2etest.Domain(b, "leak3"), e2etest.Domain(b, "leak4"))
	run("propagation timeout", b.DirectoryURL, true, loopback(stuckFront.Addr, persist.WithPropagationTimeout(200*time.Millisecond, 20*time.Millisecond)), e2etest.Domain(b, "leak5"))
	run("refused challenge", foreign.URL, true, loopback(b.DNSAddr), e2etest.Domain(b, "leak6"), e2etest.Domain(b, "leak7"))
	run("CA errors on polls", flaky.URL, false, loopback(b.DNSAddr), e2etest.Domain(b, "leak8"))
	run("read-only, record missing", b.DirectoryURL, true, nil, e2etest.Domain(b, "leak9"))

	// The filter must see a call in progress, or it proves nothing: hold
	// an Obtain in its propagation wait and look for it.
	slow := newLagging(0)
	slow.hideForever(true)
	slowFront := newDNSFront(t, b.DNSAddr, slow.fault)
	done := make(chan error, 1)
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)

	if err := persist.Enable(client, cfg, publisher(t, b), loopback(slowFront.Addr)...); err != nil {
		t.Fatal(err)
	}

	go func() {
		_, err := e2etest.Obtain(client, e2etest.Domain(b, "leak10"))
		done <- err
	}()

	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if g := goroutinesIn(ourFrames); len(g) > 0 && strings.Contains(strings.Join(g, ""), "awaitPropagation") {
			break
		}

		if time.Now().After(deadline) {
			t.Fatal("no goroutine of an Obtain in progress was found: the stack filter is blind")
		}
	}

	slow.hideForever(false)

	if err := <-done; err != nil {
		t.Fatalf("held obtain: %v", err)
	}

	var left []string

	// Goroutines end shortly after the calls return (deferred closes,
	// timers); give them a moment, then look.
	for deadline := time.Now().Add(5 * time.Second); ; {
		left = goroutinesIn(ourFrames)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}

		time.Sleep(50 * time.Millisecond)
	}

	t.Logf("goroutines: %d before, %d after", before, runtime.NumGoroutine())

	for _, g := range left {
		t.Errorf("goroutine left behind:\n%s", g)
	}
}

// goroutinesIn returns the stacks of all goroutines with a frame in one of
// the given package path prefixes, except the calling test's own.
func goroutinesIn(prefixes []string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}

		buf = make([]byte, 2*len(buf))
	}

	var out []string

	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		s := string(g)
		if strings.Contains(s, "e2e/faults.goroutinesIn") {
			continue
		}

		for _, p := range prefixes {
			if strings.Contains(s, p) {
				out = append(out, s)
				break
			}
		}
	}

	return out
}
