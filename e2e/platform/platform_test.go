// Package platform shows lego-persist embedded the way a multi-tenant
// platform embeds it: a program of another module (testdata/platform)
// computes records for many domains without an order and audits them
// through providers/persist alone, and gets the verdicts of
// `lego-persist check --json` for the same names.
package platform

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

var cli = &e2etest.Binary{Pkg: e2etest.PersistPkg}

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-platform-", cli))
}

// buildPlatform builds testdata/platform as a module of its own that
// requires lego-persist (replaced by this checkout) and returns the binary.
func buildPlatform(t *testing.T) string {
	t.Helper()

	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")

	src, err := os.ReadFile(filepath.Join("testdata", "platform", "main.go"))
	if err != nil {
		t.Fatal(err)
	}

	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	mod := "module example.com/platform\n\ngo 1.26.8\n\nrequire github.com/lego-persist/lego-persist v0.0.0\n\n" +
		"replace github.com/lego-persist/lego-persist => " + root + "\n"

	for name, data := range map[string][]byte{"main.go": src, "go.mod": []byte(mod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	bin := filepath.Join(dir, "platform")

	build := exec.Command("go", "build", "-mod=mod", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")

	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the platform program outside the module: %v\n%s", err, out)
	}

	return bin
}

type record struct {
	Domain, Name, Value, Zone string
}

type finding struct {
	Domain, Status, Publish string
}

func TestPlatformProgramGetsTheCLIsRecordsAndVerdicts(t *testing.T) {
	platform := buildPlatform(t)

	b := bed.New(t, bed.Options{})
	h := e2etest.NewHarness(t, b, cli.Path, "platform@example.com", 2*time.Minute)

	domains := []string{e2etest.Domain(b, "tenant1"), e2etest.Domain(b, "tenant2"), "*." + e2etest.Domain(b, "tenant3"), e2etest.Domain(b, "tenant4")}

	// The platform's account: registered once (here by lego-persist record,
	// which orders nothing), then kept in the platform's own store.
	dArgs := func(args ...string) []string {
		for _, d := range domains {
			args = append(args, "-d", d)
		}

		return args
	}

	res := h.Run(t, append(dArgs("--accept-tos"), "record", "--json")...)
	if res.Code != 0 {
		t.Fatalf("record: %s", res)
	}

	var cliRecords []record
	if err := json.Unmarshal([]byte(res.Stdout), &cliRecords); err != nil {
		t.Fatal(err)
	}

	keys, _ := filepath.Glob(filepath.Join(h.Path, "accounts", "*", h.Email, "keys", h.Email+".key"))
	accts, _ := filepath.Glob(filepath.Join(h.Path, "accounts", "*", h.Email, "account.json"))

	if len(keys) != 1 || len(accts) != 1 {
		t.Fatalf("account files: %q %q", keys, accts)
	}

	raw, err := os.ReadFile(accts[0])
	if err != nil {
		t.Fatal(err)
	}

	var acct struct {
		Registration struct{ URI string } `json:"registration"`
	}
	if err := json.Unmarshal(raw, &acct); err != nil {
		t.Fatal(err)
	}

	run := func(mode string) string {
		t.Helper()

		cmd := exec.Command(platform, append([]string{"-dir", b.DirectoryURL, "-key", keys[0], "-account", acct.Registration.URI,
			"-resolver", b.DNSAddr, mode}, domains...)...)
		cmd.Env = append(os.Environ(), b.Env()...)

		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("platform %s: %v", mode, err)
		}

		return string(out)
	}

	var recs []record
	if err := json.Unmarshal([]byte(run("records")), &recs); err != nil {
		t.Fatal(err)
	}

	if len(recs) != len(domains) {
		t.Fatalf("%d records for %d domains", len(recs), len(domains))
	}

	for i, r := range recs {
		if r.Domain != domains[i] || r.Value != cliRecords[i].Value || r.Zone != cliRecords[i].Zone {
			t.Errorf("platform record %+v, CLI record %+v", r, cliRecords[i])
		}
	}

	// Customers publish: tenant1 and tenant3 as told, tenant2 another
	// account's value, tenant4 nothing.
	e2etest.AddTXT(t, b, recs[0].Name, recs[0].Value)
	e2etest.AddTXT(t, b, recs[1].Name, strings.Replace(recs[1].Value, "accounturi=", "accounturi=x", 1))
	e2etest.AddTXT(t, b, recs[2].Name, recs[2].Value)

	var fromLib []finding
	if err := json.Unmarshal([]byte(run("check")), &fromLib); err != nil {
		t.Fatal(err)
	}

	res = h.Run(t, append(dArgs(), "check", "--json")...)

	var fromCLI []finding
	if err := json.Unmarshal([]byte(res.Stdout), &fromCLI); err != nil {
		t.Fatalf("check --json: %v\n%s", err, res)
	}

	want := []string{"ok", "wrong-account", "ok", "missing"}

	for i := range domains {
		if fromLib[i] != fromCLI[i] || fromLib[i].Status != want[i] {
			t.Errorf("%s: platform %+v, CLI %+v, want status %s", domains[i], fromLib[i], fromCLI[i], want[i])
		}
	}
}
