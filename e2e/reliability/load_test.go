package reliability

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// maxGoroutinesAtExit bounds runtime.NumGoroutine when renew returns: the
// runtime's own, the signal watcher, a few idle HTTP connections. A leak
// per certificate would show as hundreds.
const maxGoroutinesAtExit = 64

var (
	summaryRe    = regexp.MustCompile(`(?m)^renewed (\d+), not due (\d+), failed (\d+) in `)
	goroutinesRe = regexp.MustCompile(`goroutines at exit: (\d+)`)
)

// BenchmarkRenew1000 renews 1,000 stored Pebble certificates (or
// $LEGO_PERSIST_LOAD_N) in one `renew --parallel 16` run of the binary and
// reports wall time, failures (must be 0), the child's peak RSS and its
// goroutines at exit (bounded). The certificates are issued first, in
// process, through the library (not timed). Run it with
//
//	go test -run='^$' -bench=Renew1000 -benchtime=1x -timeout=30m ./e2e/reliability
func BenchmarkRenew1000(b *testing.B) {
	n := 1000

	if v := os.Getenv("LEGO_PERSIST_LOAD_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("LEGO_PERSIST_LOAD_N=%q: want a positive number", v)
		}
	}

	tb := bed.New(b, bed.Options{})
	h := newHarness(b, tb)
	h.Env = []string{envDebug + "=" + debugValue()}

	domains := make([]string, n)
	for i := range domains {
		domains[i] = e2etest.Domain(tb, fmt.Sprintf("load%04d", i))
	}

	start := time.Now()
	newFleet(b, tb, h.Path, "").issue(b, domains, 16)
	b.Logf("issued %d certificates in process in %v", n, time.Since(start).Round(time.Second))

	updates := e2etest.UpdateCount(b, tb)

	b.ResetTimer()

	for range b.N {
		began := time.Now()
		res := h.run(b, "renew", "--days", "9999", "--no-random-sleep", "--ari-disable", "--parallel", "16")
		wall := time.Since(began)

		m := summaryRe.FindStringSubmatch(res.Stdout)
		if res.Code != 0 || m == nil {
			b.Fatalf("renew of %d certificates: exit %d, summary %q\n%s", n, res.Code, m, res.Stderr)
		}

		renewed, _ := strconv.Atoi(m[1])
		failed, _ := strconv.Atoi(m[3])

		if renewed != n || failed != 0 {
			b.Fatalf("renewed %d of %d, failed %d", renewed, n, failed)
		}

		g := goroutinesRe.FindStringSubmatch(res.Stderr)
		if g == nil {
			b.Fatalf("no goroutine count in stderr (%s=1)", envDebug)
		}

		goroutines, _ := strconv.Atoi(g[1])
		if goroutines > maxGoroutinesAtExit {
			b.Errorf("%d goroutines alive when renew returned, want at most %d: a leak\n%s",
				goroutines, maxGoroutinesAtExit, res.Stderr[strings.Index(res.Stderr, g[0]):])
		}

		rss := int64(0)
		if res.rusage != nil {
			rss = res.rusage.MaxRSSBytes
		}

		b.ReportMetric(wall.Seconds(), "s/renew-run")
		b.ReportMetric(float64(n)/wall.Seconds(), "certs/s")
		b.ReportMetric(float64(failed), "failures")
		b.ReportMetric(float64(rss)/(1<<20), "MB-peak-RSS")
		b.ReportMetric(float64(goroutines), "goroutines-at-exit")
		b.Logf("renewed %d certificates in %v (%.1f/s), failed %d, peak RSS %.1f MB, goroutines at exit %d",
			n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), failed, float64(rss)/(1<<20), goroutines)
	}

	b.StopTimer()

	for _, d := range domains {
		if s := readSet(h.Path, d); s.err != nil {
			b.Error(s.err)
		}
	}

	if after := e2etest.UpdateCount(b, tb); after != updates {
		b.Errorf("renewals sent %d DNS updates, want 0", after-updates)
	}
}

// envDebug makes the binary print its goroutine count at exit.
const envDebug = "LEGO_PERSIST_DEBUG_GOROUTINES"

// debugValue is "1", or "stacks" with LEGO_PERSIST_LOAD_STACKS set (to see
// which goroutines are alive at exit).
func debugValue() string {
	if os.Getenv("LEGO_PERSIST_LOAD_STACKS") != "" {
		return "stacks"
	}

	return "1"
}
