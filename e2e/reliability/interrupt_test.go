//go:build unix

package reliability

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// exitWithin is how long an interrupted renew may take to exit: generous,
// it bounds the wait; a healthy run exits well within a second or two.
const exitWithin = 30 * time.Second

// TestInterruptedRenewKeepsEveryCertificateWholeAndARerunFinishes renews
// 50 short-lived certificates four at a time and interrupts the run with
// SIGTERM, then the next one with SIGINT. Each time the process exits
// promptly with 128+signal, every stored certificate is either its old or
// its new complete set (key, issuer and .json belong to the .crt), nothing
// temporary is left, every certificate that changed was reported renewed;
// a last run renews exactly the rest.
func TestInterruptedRenewKeepsEveryCertificateWholeAndARerunFinishes(t *testing.T) {
	t.Parallel()

	const n = 50

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	domains := make([]string, n)
	for i := range domains {
		domains[i] = e2etest.Domain(b, fmt.Sprintf("int%02d", i))
	}

	// Six-day certificates: due for --days 30; their renewals (Pebble's
	// default profile, 90 days) are not.
	newFleet(t, b, h.Path, "shortlived").issue(t, domains, 8)

	original := map[string]*big.Int{}

	for _, d := range domains {
		s := readSet(h.Path, d)
		if s.err != nil {
			t.Fatal(s.err)
		}

		original[d] = s.leaf.SerialNumber
	}

	// Pebble picks a random profile when none is named.
	renewArgs := []string{"renew", "--days", "30", "--profile", "default", "--no-random-sleep", "--ari-disable", "--parallel", "4"}
	renewed := 0

	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		res, waited := h.interruptAfter(t, 3, sig, renewArgs...)

		if want := 128 + int(sig); res.Code != want {
			t.Errorf("%v: exit %d, want %d:\n%s", sig, res.Code, want, res)
		}

		t.Logf("%v: exited %v after the signal", sig, waited.Round(time.Millisecond))

		if !regexp.MustCompile(`(?m)^renewed \d+, not due \d+, failed 0, interrupted [1-9]\d* in `).MatchString(res.Stdout) {
			t.Errorf("%v: no summary with interrupted certificates:\n%s", sig, res)
		}

		changed := 0

		for _, d := range domains {
			s := readSet(h.Path, d)
			if s.err != nil {
				t.Errorf("after %v: %v", sig, s.err)
				continue
			}

			if s.leaf.SerialNumber.Cmp(original[d]) != 0 {
				changed++
			}
		}

		reported := len(regexp.MustCompile(`(?m)^int\d\d\.\S+: renewed \(expires `).FindAllString(res.Stdout, -1))
		if changed-renewed != reported {
			t.Errorf("%v: %d certificates changed on disk, %d reported renewed:\n%s", sig, changed-renewed, reported, res)
		}

		if changed <= renewed || changed >= n {
			t.Fatalf("%v: %d of %d renewed before (was %d): the signal did not interrupt the run midway:\n%s", sig, changed, n, renewed, res)
		}

		renewed = changed

		if left := leftovers(t, h.Path); len(left) > 0 {
			t.Errorf("%v: temporary files left: %q", sig, left)
		}
	}

	res := h.run(t, renewArgs...)
	if res.Code != 0 {
		t.Fatalf("rerun: %s", res)
	}

	want := fmt.Sprintf("renewed %d, not due %d, failed 0 in ", n-renewed, renewed)
	if !strings.Contains(res.Stdout, want) {
		t.Errorf("rerun summary: want %q:\n%s", want, res)
	}

	for _, d := range domains {
		s := readSet(h.Path, d)
		if s.err != nil {
			t.Error(s.err)
		} else if s.leaf.SerialNumber.Cmp(original[d]) == 0 {
			t.Errorf("%s: still the original certificate after the rerun", d)
		}
	}

	if left := leftovers(t, h.Path); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

// interruptAfter starts lego-persist, sends sig once `after` certificates
// were reported renewed, and waits (at most exitWithin) for it to exit.
func (h *harness) interruptAfter(t *testing.T, after int, sig syscall.Signal, args ...string) (result, time.Duration) {
	t.Helper()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	cmd := h.Command(ctx, args...)

	var (
		mu     sync.Mutex
		out    bytes.Buffer
		errOut bytes.Buffer
	)

	cmd.Stderr = &errOut

	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}

	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	enough := make(chan struct{})
	scanned := make(chan struct{})

	go func() {
		defer close(scanned)

		seen := 0
		sc := bufio.NewScanner(pipe)

		for sc.Scan() {
			mu.Lock()
			out.WriteString(sc.Text() + "\n")
			mu.Unlock()

			if strings.Contains(sc.Text(), ": renewed (expires ") {
				if seen++; seen == after {
					close(enough)
				}
			}
		}
	}()

	select {
	case <-enough:
	case <-scanned:
		_ = cmd.Wait()
		t.Fatalf("lego-persist %v ended before %d renewals:\n%s\n%s", args, after, out.String(), errOut.String())
	}

	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}

	signalled := time.Now()

	exited := make(chan error, 1)

	go func() {
		<-scanned

		exited <- cmd.Wait()
	}()

	var waitErr error

	select {
	case waitErr = <-exited:
	case <-time.After(exitWithin):
		cancel()
		if err := <-exited; err != nil {
			t.Logf("killed: %v", err)
		}

		t.Fatalf("lego-persist %v still running %v after %v:\n%s\n%s", args, exitWithin, sig, out.String(), errOut.String())
	}

	waited := time.Since(signalled)

	mu.Lock()
	res := result{Result: e2etest.Result{Stdout: out.String(), Stderr: errOut.String()}}
	mu.Unlock()

	code, err := e2etest.ExitCode(waitErr)
	if err != nil {
		t.Fatalf("lego-persist %v: %v", args, err)
	}

	res.Code = code

	return res, waited
}
