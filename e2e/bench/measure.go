package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// processTimeout bounds one client process.
const processTimeout = 10 * time.Minute

// sample is what one measured unit (one process, or one batch of
// sequential processes) cost.
type sample struct {
	wall     time.Duration
	maxRSSKB int64 // peak resident set of the client process(es), KiB
	updates  int   // UPDATE messages BIND saw from the client
	queries  int   // queries BIND saw (the client's and Pebble's)
	serial   int   // SOA serial change
	names    int   // names validated (authorizations)
	perCert  []time.Duration
}

func (s *sample) add(o sample) {
	s.wall += o.wall
	s.maxRSSKB = max(s.maxRSSKB, o.maxRSSKB)
	s.updates += o.updates
	s.queries += o.queries
	s.serial += o.serial
	s.names += o.names
	s.perCert = append(s.perCert, o.wall)
}

// counters is a snapshot of the bed's DNS counters.
type counters struct {
	queries, updates int
	serial           uint32
}

func snapshot(ctx context.Context, b *bed.Bed) (counters, error) {
	// The SOA query goes first: named answers in order on its one worker,
	// so everything the client sent before is logged by then.
	s, err := b.SOASerial(ctx)
	if err != nil {
		return counters{}, err
	}

	q, err := b.QueryCount()
	if err != nil {
		return counters{}, err
	}

	u, err := b.UpdateCount()
	if err != nil {
		return counters{}, err
	}

	return counters{queries: q, updates: u, serial: s}, nil
}

// lineWriter hands every complete line written to it to fn and keeps the
// whole output for error reports.
type lineWriter struct {
	mu  *sync.Mutex
	all *bytes.Buffer
	buf []byte
	fn  func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.all.Write(p)
	w.mu.Unlock()

	w.buf = append(w.buf, p...)

	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}

		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]

		if w.fn != nil {
			w.fn(line)
		}
	}

	return len(p), nil
}

// runClient runs c's binary with args against b, measures it, and fails
// when it exits non-zero. names is how many authorizations the run
// validates. The client's output goes to logPath unless it is empty.
func runClient(ctx context.Context, c *client, b *bed.Bed, names int, args []string, logPath string) (sample, error) {
	before, err := snapshot(ctx, b)
	if err != nil {
		return sample{}, err
	}

	ctx, cancel := context.WithTimeout(ctx, processTimeout)
	defer cancel()

	var (
		mu  sync.Mutex
		out bytes.Buffer
		rsp *responder
		fn  func(string)
	)

	if c.manual {
		rsp = &responder{ctx: ctx, b: b}
		fn = rsp.line
	}

	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = childEnv(c, b)
	cmd.Stdout = &lineWriter{mu: &mu, all: &out, fn: fn}
	cmd.Stderr = &lineWriter{mu: &mu, all: &out, fn: fn}
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)

	if logPath != "" {
		header := fmt.Sprintf("# %s %s\n# exit: %v, wall %s\n", c.bin, strings.Join(args, " "), err, wall)
		if werr := os.WriteFile(logPath, append([]byte(header), out.Bytes()...), 0o644); werr != nil {
			return sample{}, werr
		}
	}

	if err == nil && rsp != nil {
		err = rsp.err
	}

	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %w\n%s", c.id, strings.Join(args, " "), err, tailLines(out.String(), 30))
	}

	after, err := snapshot(ctx, b)
	if err != nil {
		return sample{}, err
	}

	s := sample{
		wall:    wall,
		updates: after.updates - before.updates,
		queries: after.queries - before.queries,
		serial:  int(after.serial) - int(before.serial),
		names:   names,
	}

	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.maxRSSKB = ru.Maxrss // KiB on Linux
	}

	return s, nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}

	return strings.Join(lines, "\n")
}

// stats are min, median and max of durations.
type stats struct{ min, median, max time.Duration }

func durationStats(ds []time.Duration) (stats, error) {
	if len(ds) == 0 {
		return stats{}, errors.New("no samples")
	}

	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })

	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}

	return stats{min: s[0], median: med, max: s[len(s)-1]}, nil
}
