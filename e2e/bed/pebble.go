package bed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const pebbleModule = "github.com/letsencrypt/pebble/v2"

// pebbleDefaultEnv makes Pebble fast and deterministic: no random VA sleeps,
// no injected bad nonces, no authorization reuse (see Options.PebbleEnv).
func pebbleDefaultEnv() map[string]string {
	return map[string]string{
		"PEBBLE_VA_NOSLEEP":      "1",
		"PEBBLE_WFE_NONCEREJECT": "0",
		"PEBBLE_AUTHZREUSE":      "0",
	}
}

// pebbleInstall is a built Pebble binary and the module source it came
// from (for the TLS certificates under test/certs).
type pebbleInstall struct {
	bin, modDir, version string
}

// moduleRoot walks up from the working directory to the nearest go.mod;
// failing that, from this source file's directory (a binary run outside the
// tree but built from it).
func moduleRoot() (string, error) {
	var starts []string

	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}

	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}

	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				return d, nil
			}

			if filepath.Dir(d) == d {
				break
			}
		}
	}

	return "", errors.New("no go.mod above the working directory: run from inside the lego-persist module")
}

// goCommand runs the go tool in dir and returns its trimmed stdout.
func goCommand(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir

	var stderr strings.Builder
	cmd.Stderr = &stderr

	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s (in %s): %w: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}

	return strings.TrimSpace(string(out)), nil
}

// findPebble locates Pebble's module source through the go tool and returns
// a Pebble binary built from it: $BED_PEBBLE if set, else a binary cached
// in the user cache directory, building it on first use. Concurrent test
// processes share one build through a lock file.
func findPebble(ctx context.Context, logf func(string, ...any)) (pebbleInstall, error) {
	root, err := moduleRoot()
	if err != nil {
		return pebbleInstall{}, err
	}

	list := func() (string, error) {
		return goCommand(ctx, root, "list", "-m", "-f", "{{.Dir}}|{{.Version}}", pebbleModule)
	}

	out, err := list()
	if err != nil {
		return pebbleInstall{}, fmt.Errorf("locate %s (is it in go.mod as a tool?): %w", pebbleModule, err)
	}

	if strings.HasPrefix(out, "|") { // known to go.mod but not downloaded yet
		if _, err := goCommand(ctx, root, "mod", "download", pebbleModule); err != nil {
			return pebbleInstall{}, fmt.Errorf("download %s: %w", pebbleModule, err)
		}

		if out, err = list(); err != nil {
			return pebbleInstall{}, err
		}
	}

	modDir, version, _ := strings.Cut(out, "|")
	inst := pebbleInstall{modDir: modDir, version: version}

	if p := os.Getenv("BED_PEBBLE"); p != "" {
		inst.bin = p
		return inst, nil
	}

	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}

	dir := filepath.Join(cache, "lego-persist", fmt.Sprintf("pebble-%s-%s-%s", version, runtime.GOOS, runtime.GOARCH))
	inst.bin = filepath.Join(dir, "pebble")

	if _, err := os.Stat(inst.bin); err == nil {
		return inst, nil
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return pebbleInstall{}, fmt.Errorf("pebble cache directory: %w", err)
	}

	unlock, err := lockFile(ctx, filepath.Join(dir, "build.lock"))
	if err != nil {
		return pebbleInstall{}, err
	}
	defer unlock()

	if _, err := os.Stat(inst.bin); err == nil {
		return inst, nil // another process built it while we waited
	}

	if logf != nil {
		logf("bed: building Pebble %s into %s (once)", version, dir)
	}

	tmp := inst.bin + ".tmp"
	if _, err := goCommand(ctx, root, "build", "-o", tmp, pebbleModule+"/cmd/pebble"); err != nil {
		return pebbleInstall{}, fmt.Errorf("build Pebble: %w", err)
	}

	if err := os.Rename(tmp, inst.bin); err != nil {
		return pebbleInstall{}, fmt.Errorf("install Pebble into the cache: %w", err)
	}

	return inst, nil
}

// pebblePorts are the loopback ports one Pebble instance uses.
type pebblePorts struct {
	acme, management, http, tls int
}

// writePebbleConfig writes Pebble's JSON configuration; extra keys from
// Options.PebbleConfig replace the defaults.
func (b *Bed) writePebbleConfig(path string, ports pebblePorts, extra map[string]any) error {
	certs := filepath.Join(b.pebbleInst.modDir, "test", "certs", "localhost")
	cfg := map[string]any{
		"listenAddress":                  fmt.Sprintf("127.0.0.1:%d", ports.acme),
		"managementListenAddress":        fmt.Sprintf("127.0.0.1:%d", ports.management),
		"certificate":                    filepath.Join(certs, "cert.pem"),
		"privateKey":                     filepath.Join(certs, "key.pem"),
		"httpPort":                       ports.http,
		"tlsPort":                        ports.tls,
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
		"caaIdentities":                  b.IssuerDomains,
		"retryAfter":                     map[string]int{"authz": 1, "order": 1},
		"keyAlgorithm":                   "ecdsa",
		"profiles": map[string]any{
			"default":    map[string]any{"description": "The default profile", "validityPeriod": 7776000},
			"shortlived": map[string]any{"description": "A short-lived profile", "validityPeriod": 518400},
		},
	}

	for k, v := range extra {
		cfg[k] = v
	}

	data, err := json.MarshalIndent(map[string]any{"pebble": cfg}, "", "  ")
	if err != nil {
		return err
	}

	return os.WriteFile(path, data, 0o600)
}

// pebbleEnv is the environment for Pebble: ours without PEBBLE_* variables,
// then the defaults, then the caller's overrides.
func pebbleEnv(overrides map[string]string) []string {
	var env []string

	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PEBBLE_") {
			env = append(env, kv)
		}
	}

	merged := pebbleDefaultEnv()
	for k, v := range overrides {
		merged[k] = v
	}

	for k, v := range merged {
		env = append(env, k+"="+v)
	}

	return env
}

// waitPebble polls the ACME directory until it answers with a newOrder URL.
func (b *Bed) waitPebble(ctx context.Context, p *process) error {
	client := b.HTTPClient()
	client.Timeout = 2 * time.Second

	var lastErr error

	for {
		if p.exited() {
			return p.exitError()
		}

		lastErr = b.directoryReady(ctx, client)
		if lastErr == nil {
			return nil
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("pebble directory %s did not answer: %w (last error: %w); last lines of %s:\n%s",
				b.DirectoryURL, ctx.Err(), lastErr, p.logPath, tail(p.logPath, 20))
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (b *Bed) directoryReady(ctx context.Context, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.DirectoryURL, nil)
	if err != nil {
		return err
	}

	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}

	var dir struct {
		NewOrder string `json:"newOrder"`
	}

	if err := json.Unmarshal(body, &dir); err != nil || dir.NewOrder == "" {
		return fmt.Errorf("not an ACME directory: %.200s", body)
	}

	return nil
}
