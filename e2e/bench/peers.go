package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Binary names inside the build directory.
const (
	binPersist = "lego-persist"
	binLight   = "lego-persist-light"
	binV5      = "lego-v5.6.0"
	binV4      = "lego-v4.35.2"
)

// Versions of the peers. lego v4 is the version this module requires (its
// CLI is built from this module's build list); lego v5 is fetched from the
// module proxy into a throwaway wrapper module.
const (
	legoV4Package = "github.com/go-acme/lego/v4/cmd/lego"
	legoV5Module  = "github.com/go-acme/lego/v5"
	legoV5Version = "v5.6.0"
)

// slogorStandIn replaces gitlab.com/greyxor/slogor, the one module of lego
// v5's CLI that the module proxy does not serve on the benchmark machine.
// lego v5 uses it only for its default ("colored") log format; the stand-in
// writes those logs with the standard library's text handler, which keeps
// the line shape the benchmark's record responder parses.
const slogorStandIn = `// Package slogor stands in for gitlab.com/greyxor/slogor in the lego-persist
// benchmark's build of lego v5 (scaffolding, never committed).
package slogor

import (
	"io"
	"log/slog"
)

type options struct{ level slog.Leveler }

// OptionFn configures NewHandler.
type OptionFn func(*options)

// SetLevel sets the minimum level.
func SetLevel(l slog.Leveler) OptionFn { return func(o *options) { o.level = l } }

// SetTimeFormat is accepted and ignored.
func SetTimeFormat(string) OptionFn { return func(*options) {} }

// DisableColor is accepted and ignored.
func DisableColor() OptionFn { return func(*options) {} }

// NewHandler returns a text handler writing to w.
func NewHandler(w io.Writer, fns ...OptionFn) slog.Handler {
	o := &options{level: slog.LevelInfo}
	for _, fn := range fns {
		fn(o)
	}

	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: o.level})
}
`

// builder builds the three clients into dir.
type builder struct {
	dir     string // where the binaries go
	modRoot string // this module's root
	rebuild bool   // rebuild peers even when present
	logf    func(format string, args ...any)
}

// moduleRoot returns the directory of the go.mod governing the current
// directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := goCmd(ctx, "", nil, "env", "GOMOD")
	if err != nil {
		return "", err
	}

	gomod := strings.TrimSpace(out)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run the benchmark from the lego-persist checkout")
	}

	return filepath.Dir(gomod), nil
}

// goCmd runs the go command in dir and returns its standard output; the
// error carries its standard error.
func goCmd(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)

	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr

	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}

	return stdout.String(), nil
}

// persist builds lego-persist from this checkout, always (it is the code
// under test).
func (b *builder) persist(ctx context.Context) (string, error) {
	out := filepath.Join(b.dir, binPersist)
	b.logf("building lego-persist")

	if _, err := goCmd(ctx, b.modRoot, nil, "build", "-o", out, "./cmd/lego-persist"); err != nil {
		return "", fmt.Errorf("build lego-persist: %w", err)
	}

	return out, nil
}

// persistLight builds the light build from this checkout the way
// `make build-light` does, always.
func (b *builder) persistLight(ctx context.Context) (string, error) {
	out := filepath.Join(b.dir, binLight)
	b.logf("building lego-persist-light (%s)", strings.Join(lightBuildFlags, " "))

	if _, err := goCmd(ctx, b.modRoot, nil, append(append([]string{"build"}, lightBuildFlags...), "-o", out, "./cmd/lego-persist")...); err != nil {
		return "", fmt.Errorf("build lego-persist-light: %w", err)
	}

	return out, nil
}

// legoV4 builds lego v4.35.2's CLI from this module's build list (a plain
// `go install ...@v4.35.2` asks the proxy for the version list, which is
// refused here).
func (b *builder) legoV4(ctx context.Context) (string, error) {
	out := filepath.Join(b.dir, binV4)
	if b.present(out) {
		return out, nil
	}

	b.logf("building lego v4.35.2 into %s", b.dir)

	if _, err := goCmd(ctx, b.modRoot, nil, "build", "-o", out, legoV4Package); err != nil {
		return "", fmt.Errorf("build lego v4 CLI: %w", err)
	}

	return out, nil
}

// legoV5 builds lego v5.6.0's CLI in a throwaway wrapper module under dir:
// with -tags lego_dnslight (lego's build without DNS-01 providers, whose
// dependency modules the proxy does not all serve) and slogor replaced by
// the local stand-in.
func (b *builder) legoV5(ctx context.Context) (string, error) {
	out := filepath.Join(b.dir, binV5)
	if b.present(out) {
		return out, nil
	}

	b.logf("building lego %s into %s (wrapper module, -tags lego_dnslight)", legoV5Version, b.dir)

	wrap := filepath.Join(b.dir, "legov5-wrapper")
	stand := filepath.Join(b.dir, "slogor-standin")

	files := map[string]string{
		filepath.Join(stand, "go.mod"):    "module gitlab.com/greyxor/slogor\n\ngo 1.26\n",
		filepath.Join(stand, "slogor.go"): slogorStandIn,
		filepath.Join(wrap, "go.mod"): "module benchwrap/legov5\n\ngo 1.26\n\n" +
			"require " + legoV5Module + " " + legoV5Version + "\n\n" +
			"replace gitlab.com/greyxor/slogor => ../slogor-standin\n",
	}

	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", err
		}

		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return "", err
		}
	}

	if _, err := goCmd(ctx, wrap, []string{"GOWORK=off"},
		"build", "-mod=mod", "-tags", "lego_dnslight", "-o", out, legoV5Module); err != nil {
		return "", fmt.Errorf("build lego %s CLI: %w", legoV5Version, err)
	}

	return out, nil
}

func (b *builder) present(path string) bool {
	if b.rebuild {
		return false
	}

	fi, err := os.Stat(path)

	return err == nil && fi.Mode().IsRegular()
}
