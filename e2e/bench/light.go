package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lightBuildFlags is how `make build-light` and the release build the
// light binary (the Makefile's LIGHT_FLAGS).
var lightBuildFlags = []string{"-tags", "light", "-trimpath", "-ldflags", "-s -w"}

// Issue 15's goals for the light build on this machine.
const (
	goalLightSizeMB = 20
	goalLightRSSMB  = 20
	goalLightCold   = 2 * time.Minute
)

// buildStats is what one build of lego-persist costs to ship and to run.
type buildStats struct {
	id, title string
	flags     string // go build flags of the measured binary

	size         int64 // bytes, as the bench built it
	strippedSize int64 // bytes with -ldflags "-s -w" (0: the binary already is)
	modules      int   // dependency modules linked in (go version -m)
	versionRSSKB int64 // peak RSS of `--version`

	cold    time.Duration // go build from an empty GOCACHE; 0 when not timed
	coldErr error
	err     error
}

// pickCold parses -cold.
func pickCold(list string) (map[string]bool, error) {
	if strings.TrimSpace(list) == "none" {
		return map[string]bool{}, nil
	}

	ids, err := pick(list, []string{idLight, idPersist})
	if err != nil {
		return nil, err
	}

	set := map[string]bool{}
	for _, id := range ids {
		set[id] = true
	}

	return set, nil
}

// measureBuilds measures the full and light binaries among cs (the others
// are peers): size, linked modules, memory of `--version`, and, for the
// ids in cold, the time of a build from an empty build cache (modules
// already downloaded, as on a machine that has built anything before).
func measureBuilds(ctx context.Context, cs []*client, cold map[string]bool, logf func(string, ...any)) []buildStats {
	var out []buildStats

	for _, c := range cs {
		var flags []string

		switch c.id {
		case idPersist:
		case idLight:
			flags = lightBuildFlags
		default:
			continue
		}

		st := buildStats{id: c.id, title: c.title, flags: strings.Join(append([]string{"go", "build"}, flags...), " ")}
		st.err = st.measure(ctx, c.bin, flags, cold[c.id], logf)
		out = append(out, st)
	}

	return out
}

func (st *buildStats) measure(ctx context.Context, bin string, flags []string, cold bool, logf func(string, ...any)) error {
	fi, err := os.Stat(bin)
	if err != nil {
		return err
	}

	st.size = fi.Size()

	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}

	tmp, err := os.MkdirTemp("", "lego-persist-bench-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	if !strings.Contains(strings.Join(flags, " "), "-s -w") {
		// Only the link step differs: quick with a warm cache.
		stripped := filepath.Join(tmp, "stripped")
		if _, err := goCmd(ctx, root, nil, "build", "-ldflags", "-s -w", "-o", stripped, "./cmd/lego-persist"); err != nil {
			return err
		}

		if fi, err := os.Stat(stripped); err == nil {
			st.strippedSize = fi.Size()
		}
	}

	mods, err := goCmd(ctx, root, nil, "version", "-m", bin)
	if err != nil {
		return err
	}

	for _, l := range strings.Split(mods, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "dep" {
			st.modules++
		}
	}

	cmd := exec.CommandContext(ctx, bin, "--version")

	var discard bytes.Buffer
	cmd.Stdout, cmd.Stderr = &discard, &discard

	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s --version: %w", bin, err)
	}

	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		st.versionRSSKB = ru.Maxrss
	}

	if cold {
		logf("timing a cold build of %s (empty GOCACHE)", st.id)

		cache := filepath.Join(tmp, "gocache")
		args := append(append([]string{"build"}, flags...), "-o", filepath.Join(tmp, "cold"), "./cmd/lego-persist")
		start := time.Now()

		if _, err := goCmd(ctx, root, []string{"GOCACHE=" + cache}, args...); err != nil {
			st.coldErr = err
		} else {
			st.cold = time.Since(start)
		}
	}

	return nil
}

func fmtMB(bytes int64) string {
	return fmt.Sprintf("%.1f MB", float64(bytes)/(1<<20))
}

// lightSection is the report's "## Light build" section: the full and the
// light build side by side and issue 15's goals.
func (rp *report) lightSection() string {
	var b strings.Builder

	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	var full, light *buildStats

	for i := range rp.builds {
		switch rp.builds[i].id {
		case idPersist:
			full = &rp.builds[i]
		case idLight:
			light = &rp.builds[i]
		}
	}

	p("## Light build\n\n")
	p("`make build-light` (`go build %s`) leaves out the cloud publishers and lego's dns-01 provider\n", strings.Join(lightBuildFlags, " "))
	p("list: rfc2136, exec, httpreq and manual for dns-persist-01 and for the dns-01 fallback, lego's\n")
	p("http-01 and tls-alpn-01 (see [install.md](install.md)). Measured %s on %s, %d cores\n",
		rp.m.started.UTC().Format("2006-01-02 15:04 MST"), rp.m.cpu, rp.m.cores)
	p("(load average before / after: %s / %s); the renewal is workload (a), peak RSS of its %d runs.\n", rp.m.loadBefore, rp.m.loadAfter, rp.r.runsA)
	p("Goals are issue 15's, for the light build. `go run ./e2e/bench -light-section -out docs/benchmarks.md`\n")
	p("re-measures only this section.\n\n")

	cell := func(st *buildStats, f func(*buildStats) string) string {
		switch {
		case st == nil:
			return "not measured"
		case st.err != nil:
			return "failed: " + oneLine(st.err.Error())
		default:
			return f(st)
		}
	}

	renewRSS := func(id string) (int64, bool) {
		res, ok := rp.results[wRenewOne][id]
		if !ok || res.err != nil || len(res.samples) == 0 {
			return 0, false
		}

		return averages(res).maxRSSKB, true
	}

	rssCell := func(id string) string {
		kb, ok := renewRSS(id)
		if !ok {
			return "not measured"
		}

		return fmt.Sprintf("%.1f MB", float64(kb)/1024)
	}

	p("| | full (`%s`) | light (`%s`) | goal | verdict |\n|---|---:|---:|---:|---|\n", binPersist, binLight)

	p("| binary | %s | %s | ≤ %d MB | %s |\n",
		cell(full, func(s *buildStats) string {
			if s.strippedSize > 0 {
				return fmt.Sprintf("%s (%s with `-s -w`)", fmtMB(s.size), fmtMB(s.strippedSize))
			}

			return fmtMB(s.size)
		}),
		cell(light, func(s *buildStats) string { return fmtMB(s.size) }),
		goalLightSizeMB,
		verdict(light != nil && light.err == nil && light.size <= goalLightSizeMB<<20, light != nil && light.err == nil))

	p("| modules linked (`go version -m`) | %s | %s | | |\n",
		cell(full, func(s *buildStats) string { return fmt.Sprint(s.modules) }),
		cell(light, func(s *buildStats) string { return fmt.Sprint(s.modules) }))

	p("| peak RSS, `--version` | %s | %s | | |\n",
		cell(full, func(s *buildStats) string { return fmt.Sprintf("%.1f MB", float64(s.versionRSSKB)/1024) }),
		cell(light, func(s *buildStats) string { return fmt.Sprintf("%.1f MB", float64(s.versionRSSKB)/1024) }))

	lightRSS, okRSS := renewRSS(idLight)
	p("| peak RSS, renew one certificate | %s | %s | ≤ %d MB | %s |\n", rssCell(idPersist), rssCell(idLight), goalLightRSSMB,
		verdict(lightRSS <= goalLightRSSMB*1024, okRSS))

	coldCell := func(s *buildStats) string {
		switch {
		case s.coldErr != nil:
			return "failed: " + oneLine(s.coldErr.Error())
		case s.cold == 0:
			return "not timed (`-cold " + s.id + "`)"
		default:
			return fmtDur(s.cold)
		}
	}

	coldOK := light != nil && light.err == nil && light.coldErr == nil && light.cold > 0
	p("| cold build (empty `GOCACHE`, modules downloaded) | %s | %s | ≤ %s | %s |\n",
		cell(full, coldCell), cell(light, coldCell), fmtDur(goalLightCold), verdict(coldOK && light.cold <= goalLightCold, coldOK))
	p("\n")

	return b.String()
}

// replaceLightSection writes section over the "## Light build" section of
// the report at path (up to the next "## " heading), or, when the report
// has none, puts it where a full run does (before the notes on where the
// time goes); the rest of the report is kept as it is.
func replaceLightSection(path, section string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("-light-section: %w", err)
	}

	doc := string(raw)
	const heading = "## Light build\n"

	start := strings.Index(doc, heading)

	switch notes := strings.Index(doc, "## Where lego-persist's time goes"); {
	case start < 0 && notes >= 0: // where a full run puts it
		doc = doc[:notes] + section + doc[notes:]
	case start < 0:
		doc = strings.TrimRight(doc, "\n") + "\n\n" + section
	default:
		end := len(doc)
		if i := strings.Index(doc[start+len(heading):], "\n## "); i >= 0 {
			end = start + len(heading) + i + 1
		}

		doc = doc[:start] + section + doc[end:]
	}

	return os.WriteFile(path, []byte(doc), 0o644)
}
