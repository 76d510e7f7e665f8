// Command bench measures lego-persist side by side with lego v5.6.0
// (dns-persist-01, manual provider) and lego v4.35.2 (dns-01 over RFC 2136)
// on the same kind of Pebble + BIND 9 bed (e2e/bed), and writes a Markdown
// report: wall time, DNS UPDATEs and queries seen by BIND, SOA serial
// change and peak RSS per client and workload, with the ratios and issue
// 6's targets. It is not a test: nothing fails on a missed target.
//
//	go run ./e2e/bench -out docs/benchmarks.md          # everything (make bench)
//	go run ./e2e/bench -clients lego-persist -workloads a,b
//	go run ./e2e/bench -light-section -out docs/benchmarks.md  # only the light build's section (make bench-light)
//
// The peers are built once into -peers-dir (a temporary directory by
// default, reused across runs; -rebuild forces a new build), lego v5 from
// a throwaway wrapper module. Nothing is committed or vendored.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		out       = flag.String("out", "", "write the Markdown report to this file (default: standard output)")
		clients   = flag.String("clients", strings.Join([]string{idPersist, idLight, idV5, idV4}, ","), "clients to run, comma-separated")
		workloads = flag.String("workloads", "a,b,c,d", "workloads to run, comma-separated: a (renew one), b (renew many), c (first issuance), d (10 names)")
		peersDir  = flag.String("peers-dir", filepath.Join(os.TempDir(), "lego-persist-bench-peers"), "where the peer CLIs are built (reused when present)")
		rebuild   = flag.Bool("rebuild", false, "rebuild the peer CLIs even when present in -peers-dir")
		runsA     = flag.Int("runs", 5, "timed runs of workload (a)")
		runsCD    = flag.Int("runs-cd", 3, "timed runs of workloads (c) and (d)")
		runsB     = flag.Int("runs-b", 3, "timed runs of lego-persist's renew-all in workload (b)")
		certs     = flag.Int("certs", 100, "certificates in workload (b) for lego-persist")
		peerCerts = flag.Int("peer-certs", 10, "certificates in workload (b) for the peers (their time is scaled to -certs)")
		parallel  = flag.Int("parallel", 8, "lego-persist renew --parallel in workload (b)")
		names     = flag.Int("names", 10, "names of the certificate in workload (d)")
		logDir    = flag.String("logs", "", "keep the output of every client run in this directory")
		quiet     = flag.Bool("q", false, "no progress on standard error")
		cold      = flag.String("cold", idLight, "builds to time from an empty GOCACHE, comma-separated: "+idLight+", "+idPersist+" (~15 min on 2 cores), or none")
		lightOnly = flag.Bool("light-section", false, "measure only the light build next to the full one (workload a, sizes, memory, cold build) "+
			"and replace the \"## Light build\" section of -out, keeping the rest of it")
	)

	flag.Parse()

	if *lightOnly {
		if *out == "" {
			return errors.New("-light-section needs -out (the report whose section it replaces)")
		}

		*clients, *workloads = idPersist+","+idLight, wRenewOne
	}

	coldIDs, err := pickCold(*cold)
	if err != nil {
		return fmt.Errorf("-cold: %w", err)
	}

	logf := func(format string, args ...any) {
		if !*quiet {
			fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	wls, err := pick(*workloads, []string{wRenewOne, wRenewMany, wFirstIssue, wTenNames})
	if err != nil {
		return fmt.Errorf("-workloads: %w", err)
	}

	ids, err := pick(*clients, []string{idPersist, idLight, idV5, idV4})
	if err != nil {
		return fmt.Errorf("-clients: %w", err)
	}

	for _, n := range []int{*runsA, *runsCD, *runsB, *certs, *peerCerts, *parallel, *names} {
		if n < 1 {
			return fmt.Errorf("counts must be at least 1, got %d", n)
		}
	}

	m := machine{started: time.Now(), loadBefore: loadAvg()}

	cs, cleanup, err := build(ctx, ids, *peersDir, *rebuild, logf)
	if err != nil {
		return err
	}
	defer cleanup()

	r := &runner{
		runsA: *runsA, runsCD: *runsCD, runsB: *runsB,
		certs: *certs, peerCerts: *peerCerts, parallel: *parallel, names: *names,
		logDir: *logDir, logf: logf,
	}

	if *logDir != "" {
		if err := os.MkdirAll(*logDir, 0o755); err != nil {
			return err
		}
	}

	rp := &report{r: r, clients: cs, workloads: wls, results: map[string]map[string]result{}, targetN: *certs}
	rp.builds = measureBuilds(ctx, cs, coldIDs, logf)

	for _, wl := range wls {
		rp.results[wl] = map[string]result{}

		for _, c := range cs {
			res := r.run(ctx, c, wl)
			if res.err != nil {
				logf("%s (%s) failed: %v", c.id, wl, res.err)
			} else if st, err := durationStats(walls(res)); err == nil {
				logf("%s (%s): median %s over %d run(s)", c.id, wl, fmtDur(st.median), len(res.samples))
			}

			rp.results[wl][c.id] = res

			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}

	m.end, m.loadAfter = time.Now(), loadAvg()
	fillMachine(ctx, &m)
	rp.m = m

	if *lightOnly {
		if err := replaceLightSection(*out, rp.lightSection()); err != nil {
			return err
		}

		logf("replaced the light build section of %s", *out)

		return nil
	}

	var w io.Writer = os.Stdout

	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()

		w = f
	}

	bw := bufio.NewWriter(w)
	rp.write(bw)

	if err := bw.Flush(); err != nil {
		return err
	}

	if *out != "" {
		logf("wrote %s", *out)
	}

	return nil
}

// pick parses a comma-separated selection out of known values, keeping
// the known order.
func pick(list string, known []string) ([]string, error) {
	want := map[string]bool{}

	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}

	var got []string

	for _, k := range known {
		if want[k] {
			got = append(got, k)
			delete(want, k)
		}
	}

	for s := range want {
		return nil, fmt.Errorf("unknown %q (known: %s)", s, strings.Join(known, ", "))
	}

	if len(got) == 0 {
		return nil, fmt.Errorf("nothing selected (known: %s)", strings.Join(known, ", "))
	}

	return got, nil
}

// build builds the selected clients: lego-persist into a fresh temporary
// directory, the peers into peersDir.
func build(ctx context.Context, ids []string, peersDir string, rebuild bool, logf func(string, ...any)) ([]*client, func(), error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, nil, err
	}

	own, err := os.MkdirTemp("", "lego-persist-bench-bin-")
	if err != nil {
		return nil, nil, err
	}

	cleanup := func() { _ = os.RemoveAll(own) }

	if err := os.MkdirAll(peersDir, 0o755); err != nil {
		cleanup()
		return nil, nil, err
	}

	mine := &builder{dir: own, modRoot: root, logf: logf}
	peers := &builder{dir: peersDir, modRoot: root, rebuild: rebuild, logf: logf}

	var cs []*client

	for _, id := range ids {
		var (
			c   *client
			bin string
			err error
		)

		switch id {
		case idPersist:
			bin, err = mine.persist(ctx)
			c = newPersist(bin)
		case idLight:
			bin, err = mine.persistLight(ctx)
			c = newPersistLight(bin)
		case idV5:
			bin, err = peers.legoV5(ctx)
			c = newV5(bin)
		case idV4:
			bin, err = peers.legoV4(ctx)
			c = newV4(bin)
		}

		if err != nil {
			cleanup()
			return nil, nil, err
		}

		cs = append(cs, c)
	}

	return cs, cleanup, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}

	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}

	return strings.Join(f[:3], " ")
}

func fillMachine(ctx context.Context, m *machine) {
	m.cores = runtime.NumCPU()
	m.goVersion = runtime.Version()
	m.cpu, m.kernel, m.named = "?", runtime.GOOS+"/"+runtime.GOARCH, "?"

	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}

	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					m.memGiB = kb / (1 << 20)
				}
			}
		}
	}

	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b)) + " " + runtime.GOARCH
	}

	if named, err := bed.NamedPath(); err == nil {
		if out, err := exec.CommandContext(ctx, named, "-v").Output(); err == nil {
			m.named = strings.TrimSpace(string(out))
		}
	}
}
