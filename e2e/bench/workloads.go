package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// Workload identifiers, as the -workloads flag takes them.
const (
	wRenewOne   = "a"
	wRenewMany  = "b"
	wFirstIssue = "c"
	wTenNames   = "d"
)

var workloadTitles = map[string]string{
	wRenewOne:   "(a) renew one certificate, record in place",
	wRenewMany:  "(b) renew many certificates (one name each), records in place",
	wFirstIssue: "(c) first issuance of one certificate, no record yet",
	wTenNames:   "(d) renew one certificate with 10 names, records in place",
}

// result is one client's measurements of one workload.
type result struct {
	client   *client
	workload string
	samples  []sample // one per timed run
	certs    int      // certificates per timed run
	batch    bool     // one process per certificate, in sequence
	err      error
}

// runner runs the workloads.
type runner struct {
	runsA, runsCD, runsB int
	certs, peerCerts     int
	parallel             int
	names                int
	logDir               string // keep every client run's output here, when set
	logf                 func(format string, args ...any)
}

// bench is one client on a fresh bed, with its own storage.
type bench struct {
	c        *client
	b        *bed.Bed
	h        *home
	dir      string
	logDir   string
	workload string
	seq      int
}

// exec runs the client once (see runClient), keeping its output under the
// log directory when one is set.
func (x *bench) exec(ctx context.Context, label string, names int, args []string) (sample, error) {
	logPath := ""

	if x.logDir != "" {
		x.seq++
		logPath = filepath.Join(x.logDir, fmt.Sprintf("%s-%s-%03d-%s.log", x.c.id, x.workload, x.seq, label))
	}

	return runClient(ctx, x.c, x.b, names, args, logPath)
}

func (r *runner) open(ctx context.Context, c *client) (*bench, error) {
	b, err := bed.Start(ctx, bed.Options{Logf: r.logf})
	if err != nil {
		return nil, err
	}

	dir, err := os.MkdirTemp("", "lego-persist-bench-"+c.id+"-")
	if err != nil {
		_ = b.Close()
		return nil, err
	}

	return &bench{c: c, b: b, h: &home{b: b, path: filepath.Join(dir, ".lego"), email: benchEmail}, dir: dir, logDir: r.logDir}, nil
}

func (x *bench) close() {
	if err := x.b.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: close bed:", err)
	}

	_ = os.RemoveAll(x.dir)
}

func (x *bench) name(label string) string {
	return label + "." + strings.TrimSuffix(x.b.Zone, ".")
}

func (x *bench) names(prefix string, n int) []string {
	ds := make([]string, n)
	for i := range ds {
		ds[i] = x.name(fmt.Sprintf("%s%03d", prefix, i))
	}

	return ds
}

// setup obtains certificates untimed: it registers the account and, for
// the dns-persist-01 clients, leaves each name's record in place.
func (x *bench) setup(ctx context.Context, certs ...[]string) error {
	for _, ds := range certs {
		if _, err := x.exec(ctx, "setup", len(ds), x.c.issueArgs(x.h, ds)); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}

	return nil
}

func (r *runner) run(ctx context.Context, c *client, workload string) result {
	res := result{client: c, workload: workload, certs: 1}

	x, err := r.open(ctx, c)
	if err != nil {
		res.err = err
		return res
	}
	defer x.close()

	x.workload = workload

	r.logf("%s: %s", c.id, workloadTitles[workload])

	switch workload {
	case wRenewOne:
		res.err = r.renewOne(ctx, x, &res)
	case wRenewMany:
		res.err = r.renewMany(ctx, x, &res)
	case wFirstIssue:
		res.err = r.firstIssue(ctx, x, &res)
	case wTenNames:
		res.err = r.tenNames(ctx, x, &res)
	default:
		res.err = fmt.Errorf("unknown workload %q", workload)
	}

	return res
}

func (r *runner) renewOne(ctx context.Context, x *bench, res *result) error {
	d := []string{x.name("one")}
	if err := x.setup(ctx, d); err != nil {
		return err
	}

	for range r.runsA {
		s, err := x.exec(ctx, "timed", 1, x.c.renewArgs(x.h, d))
		if err != nil {
			return err
		}

		res.samples = append(res.samples, s)
	}

	return nil
}

func (r *runner) renewMany(ctx context.Context, x *bench, res *result) error {
	n := r.certs
	if x.c.renewAllArgs == nil {
		n = r.peerCerts
	}

	res.certs = n
	ds := x.names("host", n)

	for i, d := range ds {
		if err := x.setup(ctx, []string{d}); err != nil {
			return err
		}

		if (i+1)%25 == 0 {
			r.logf("%s: %d/%d certificates set up", x.c.id, i+1, n)
		}
	}

	if x.c.renewAllArgs != nil {
		for range r.runsB {
			s, err := x.exec(ctx, "timed", n, x.c.renewAllArgs(x.h, r.parallel))
			if err != nil {
				return err
			}

			res.samples = append(res.samples, s)
		}

		return nil
	}

	res.batch = true

	var batch sample

	for _, d := range ds {
		s, err := x.exec(ctx, "timed", 1, x.c.renewArgs(x.h, []string{d}))
		if err != nil {
			return err
		}

		batch.add(s)
	}

	res.samples = append(res.samples, batch)

	return nil
}

func (r *runner) firstIssue(ctx context.Context, x *bench, res *result) error {
	// The account is registered beforehand, on another name.
	if err := x.setup(ctx, []string{x.name("account")}); err != nil {
		return err
	}

	for i := range r.runsCD {
		s, err := x.exec(ctx, "timed", 1, x.c.issueArgs(x.h, []string{x.name(fmt.Sprintf("new%d", i))}))
		if err != nil {
			return err
		}

		res.samples = append(res.samples, s)
	}

	return nil
}

func (r *runner) tenNames(ctx context.Context, x *bench, res *result) error {
	ds := x.names("multi", r.names)
	if err := x.setup(ctx, ds); err != nil {
		return err
	}

	for range r.runsCD {
		s, err := x.exec(ctx, "timed", len(ds), x.c.renewArgs(x.h, ds))
		if err != nil {
			return err
		}

		res.samples = append(res.samples, s)
	}

	return nil
}
