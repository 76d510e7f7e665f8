package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/testenv"
)

// The tests of this file run lego v4 command lines with `lego` swapped for
// `lego-persist` (issue 12) and lego v4's commands and flags beyond
// dns-persist-01: --pfx, revoke, list -a/-n, cron behaviour.

// renewArgs renew a stored certificate at once, whatever its age.
var renewArgs = []string{"renew", "--days", "9999", "--no-random-sleep", "--ari-disable"}

func TestLegoV4LinesWithoutDNSPersistObtainAndRenewWhileTheCAOffersIt(t *testing.T) {
	b := bed.New(t, bed.Options{ExtraZoneRecords: []string{"web IN A 127.0.0.1"}})

	tests := []struct {
		name     string
		label    string
		solver   []string
		used     string // lego's log line naming the solver
		dnsWrite bool   // dns-01 writes _acme-challenge; http-01 nothing
	}{
		{
			name:  "--dns rfc2136",
			label: "dns01",
			solver: []string{
				"--dns", "rfc2136", "--dns.resolvers", b.DNSAddr, "--dns.propagation-disable-ans",
			},
			used:     "dns-01 (rfc2136)",
			dnsWrite: true,
		},
		{
			name:   "--http on a loopback port",
			label:  "web",
			solver: []string{"--http", "--http.port", "127.0.0.1:" + strconv.Itoa(b.HTTPPort)},
			used:   "http-01 (127.0.0.1:" + strconv.Itoa(b.HTTPPort) + ")",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, b)
			d := e2etest.Domain(b, tt.label)
			line := append(slices.Clone(tt.solver), "-d", d)

			res := h.Run(t, append(append([]string{"--accept-tos"}, line...), "run")...)
			if res.Code != 0 {
				t.Fatalf("lego v4 line (run) failed:\n%s", res)
			}

			first := storedCert(t, h.Path, d)

			for _, want := range []string{"no --dns-persist publisher) lego's " + tt.used, "no valid record at"} {
				if !strings.Contains(res.Stderr, want) {
					t.Errorf("the log does not say which solver was used and why (want %q):\n%s", want, res.Stderr)
				}
			}

			if got := e2etest.TXT(t, b, e2etest.RecordName(d)); len(got) != 0 {
				t.Errorf("a dns-persist-01 record was written without --dns-persist: %q", got)
			}

			before := e2etest.UpdateCount(t, b)

			res = h.Run(t, append(line, renewArgs...)...)
			if res.Code != 0 || len(lines(res.Stdout, d+": renewed (expires ")) != 1 {
				t.Fatalf("lego v4 line (renew) failed:\n%s", res)
			}

			if second := storedCert(t, h.Path, d); second.SerialNumber.Cmp(first.SerialNumber) == 0 {
				t.Error("renew kept the old certificate")
			}

			if wrote := e2etest.UpdateCount(t, b) > before; wrote != tt.dnsWrite {
				t.Errorf("DNS updates during renew: %v, want %v", wrote, tt.dnsWrite)
			}
		})
	}
}

func TestDNSPersistLineWithTheRecordInPlaceWritesNothing(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "both")
	line := []string{"--dns-persist", "rfc2136", "--dns", "rfc2136", "--dns.resolvers", b.DNSAddr, "--dns.propagation-disable-ans", "-d", d}

	if res := h.Run(t, append(append([]string{"--accept-tos"}, line...), "run")...); res.Code != 0 {
		t.Fatalf("first run failed:\n%s", res)
	}

	if got := e2etest.TXT(t, b, e2etest.RecordName(d)); len(got) != 1 {
		t.Fatalf("first run: TXT at %s = %q, want the one record", e2etest.RecordName(d), got)
	}

	serial, updates := e2etest.SOASerial(t, b), e2etest.UpdateCount(t, b)

	for _, cmd := range [][]string{renewArgs, {"run"}} {
		res := h.Run(t, append(slices.Clone(line), cmd...)...)
		if res.Code != 0 {
			t.Fatalf("%s with the record in place failed:\n%s", cmd[0], res)
		}

		if !strings.Contains(res.Stderr, "valid record found") {
			t.Errorf("%s: the log does not say the record was used:\n%s", cmd[0], res.Stderr)
		}
	}

	// --quiet: the certificate's line and the summary, no log.
	res := h.Run(t, append(slices.Clone(line), append(slices.Clone(renewArgs), "--quiet")...)...)
	if res.Code != 0 || res.Stderr != "" || len(lines(res.Stdout, d+": renewed (expires ")) != 1 ||
		len(lines(res.Stdout, "renewed 1, not due 0, failed 0 in ")) != 1 {
		t.Errorf("renew --quiet: want exit 0, the two lines and nothing on stderr:\n%s", res)
	}

	if s, u := e2etest.SOASerial(t, b), e2etest.UpdateCount(t, b); s != serial || u != updates {
		t.Errorf("DNS written with the record in place: serial %d -> %d, updates %d -> %d", serial, s, updates, u)
	}
}

func TestPFXIsWrittenAndOpenSSLReadsItWithTheDefaultPassword(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl is missing")
		}

		testenv.SkipOrFail(t, "openssl is missing")
	}

	b := bed.New(t, bed.Options{})

	tests := []struct {
		name string
		args []string
		env  []string
	}{
		{name: "--pfx (RC2, lego's default)", args: []string{"--pfx"}},
		{name: "LEGO_PFX and LEGO_PFX_FORMAT=SHA256", env: []string{"LEGO_PFX=true", "LEGO_PFX_FORMAT=SHA256"}},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, b)
			h.Env = tt.env
			d := e2etest.Domain(b, "pfx"+strconv.Itoa(i))
			envFile := filepath.Join(t.TempDir(), "hook.env")
			hook := writeScript(t, "#!/bin/sh\nenv > '"+envFile+"'\n")

			args := append(slices.Clone(tt.args), "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run", "--run-hook", hook)
			if res := h.Run(t, args...); res.Code != 0 {
				t.Fatalf("run failed:\n%s", res)
			}

			pfx := e2etest.CertBase(h.Path, d) + ".pfx"
			certs := openSSLPKCS12(t, pfx, "changeit")

			if !strings.Contains(certs, "BEGIN CERTIFICATE") || strings.Count(certs, "BEGIN CERTIFICATE") < 2 {
				t.Errorf("openssl found no leaf and issuer in %s:\n%s", pfx, certs)
			}

			env, err := os.ReadFile(envFile)
			if err != nil {
				t.Fatal(err)
			}

			if !strings.Contains(string(env), "LEGO_CERT_PFX_PATH="+pfx+"\n") {
				t.Errorf("the hook did not get LEGO_CERT_PFX_PATH=%s:\n%s", pfx, env)
			}
		})
	}
}

// openSSLPKCS12 returns the certificates openssl reads from a .pfx with
// password (with -legacy on OpenSSL 3, whose default provider lacks RC2).
func openSSLPKCS12(t *testing.T, path, password string) string {
	t.Helper()

	args := []string{"pkcs12", "-in", path, "-passin", "pass:" + password, "-nokeys"}

	out, err := exec.Command("openssl", args...).CombinedOutput()
	if err != nil {
		legacy, lerr := exec.Command("openssl", append(args, "-legacy")...).CombinedOutput()
		if lerr != nil {
			t.Fatalf("openssl pkcs12 cannot read %s: %v\n%s\n(-legacy: %v\n%s)", path, err, out, lerr, legacy)
		}

		out = legacy
	}

	return string(out)
}

func TestRevokeRevokesAtTheCAAndArchivesAsLego(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	tests := []struct {
		label    string
		args     []string
		archived bool
	}{
		{label: "revoked", args: []string{"revoke", "--reason", "4"}, archived: true},
		{label: "kept", args: []string{"revoke", "--keep"}},
	}

	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			d := e2etest.Domain(b, tt.label)

			if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
				t.Fatalf("run failed:\n%s", res)
			}

			leaf := storedCert(t, h.Path, d)
			base := e2etest.CertBase(h.Path, d)

			res := h.Run(t, append([]string{"-d", d}, tt.args...)...)
			if res.Code != 0 || len(lines(res.Stdout, d+": revoked (reason ")) != 1 {
				t.Fatalf("revoke failed:\n%s", res)
			}

			if status := pebbleCertStatus(t, b, leaf.SerialNumber.Text(16)); status != "Revoked" {
				t.Errorf("Pebble says the certificate is %q, want Revoked", status)
			}

			archived, _ := filepath.Glob(filepath.Join(h.Path, "archives", "*."+filepath.Base(base)+".*"))
			_, statErr := os.Stat(base + ".crt")

			if !tt.archived {
				if statErr != nil || len(archived) != 0 {
					t.Errorf("--keep: .crt stat %v, archived %q; want the files left in place", statErr, archived)
				}

				return
			}

			if statErr == nil {
				t.Errorf("%s.crt still in certificates/ after revoke", base)
			}

			var exts []string

			for _, f := range archived {
				// lego's layout: archives/<unix time>.<file name>
				stamp, name, _ := strings.Cut(filepath.Base(f), ".")
				if _, err := strconv.ParseInt(stamp, 10, 64); err != nil {
					t.Errorf("archived %s: no unix-time prefix", f)
				}

				exts = append(exts, strings.TrimPrefix(name, filepath.Base(base)))
			}

			slices.Sort(exts)

			if want := []string{".crt", ".issuer.crt", ".json", ".key"}; !slices.Equal(exts, want) {
				t.Errorf("archived extensions %q, want %q", exts, want)
			}
		})
	}
}

// pebbleCertStatus asks Pebble's management interface about a serial.
func pebbleCertStatus(t *testing.T, b *bed.Bed, serialHex string) string {
	t.Helper()

	resp, err := b.HTTPClient().Get(b.ManagementURL + "/cert-status-by-serial/" + serialHex)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	var st struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("cert status %s: HTTP %s: %v", serialHex, resp.Status, err)
	}

	return st.Status
}

// legoBinary builds lego v4's own CLI (the version go.mod pins) for t.
func legoBinary(t *testing.T) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "lego")

	if out, err := exec.Command("go", "build", "-o", path, e2etest.LegoPkg).CombinedOutput(); err != nil {
		t.Fatalf("build lego: %v\n%s", err, out)
	}

	return path
}

func TestListNamesAndAccountsPrintWhatLegoPrints(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	names := []string{e2etest.Domain(b, "b-list"), e2etest.Domain(b, "a-list")}

	for _, d := range names {
		if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "-d", "alt."+d, "run"); res.Code != 0 {
			t.Fatalf("run failed:\n%s", res)
		}
	}

	lego := legoBinary(t)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	legoNames := e2etest.Exec(ctx, t, lego, nil, "--path", h.Path, "list", "--names")
	ours := h.Run(t, "list", "-n")

	if ours.Code != 0 || legoNames.Code != 0 || ours.Stdout != legoNames.Stdout {
		t.Errorf("list -n differs from lego's:\n--- lego-persist\n%s\n--- lego\n%s", ours, legoNames)
	}

	if want := "a-list"; !strings.HasPrefix(ours.Stdout, want) {
		t.Errorf("list -n = %q, want the names in file order starting with %s", ours.Stdout, want)
	}

	legoAccounts := e2etest.Exec(ctx, t, lego, nil, "--path", h.Path, "list", "--accounts")
	oursAccounts := h.Run(t, "list", "-a", "--no-check")
	block, _, _ := strings.Cut(legoAccounts.Stdout, "Found the following certs:")

	if oursAccounts.Code != 0 || block == "" || !strings.HasPrefix(oursAccounts.Stdout, block) {
		t.Errorf("list -a does not start with lego's accounts block:\n--- lego-persist\n%s\n--- lego's block\n%s", oursAccounts, block)
	}

	table := h.Run(t, "list", "--no-check")
	if !strings.Contains(table.Stdout, "DAYS LEFT") || len(lines(table.Stdout, names[0]+" ")) != 1 {
		t.Errorf("list has no DAYS LEFT column or misses %s:\n%s", names[0], table)
	}
}

func TestRenewOnAPathWithoutCertificatesExitsZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lego")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// No CA is contacted: the server is an address nothing listens on.
	res := e2etest.Exec(ctx, t, binary.Path, nil, "--path", path, "--server", "https://127.0.0.1:1/dir", "renew", "--no-random-sleep")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "nothing to renew") {
		t.Errorf("renew on an empty --path: want exit 0 and \"nothing to renew\":\n%s", res)
	}
}

func TestManualPublisherWithStdinDevNullFailsAtOnceWithTheRecord(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "manual")
	// Were /dev/null taken for a terminal, the run would wait this long.
	h.Env = []string{"MANUAL_PROPAGATION_TIMEOUT=3600"}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	cmd := h.Command(ctx, "--accept-tos", "--dns-persist", "manual", "-d", d, "run")

	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()

	var stdout, stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devNull, &stdout, &stderr

	code, err := e2etest.ExitCode(cmd.Run())
	if err != nil {
		t.Fatal(err)
	}

	for _, want := range []string{"cannot wait for a manual change (not a terminal)", e2etest.RecordName(d), "TXT"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q", want)
		}
	}

	if code != 1 || ctx.Err() != nil {
		t.Errorf("exit %d (context %v), want 1 at once\n--- stdout\n%s--- stderr\n%s", code, ctx.Err(), stdout.String(), stderr.String())
	}
}

// writeScript writes an executable shell script.
func writeScript(t *testing.T, body string) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(path, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}

	return path
}

func TestAHookThatFailedOrWasKilledRunsOnTheNextRenew(t *testing.T) {
	b := bed.New(t, bed.Options{})

	tests := []struct {
		name string
		// first is the hook's behaviour on its first call: fail, or hang
		// until the lego-persist process is killed.
		first string
	}{
		{name: "failed", first: "exit 3"},
		{name: "killed with lego-persist", first: "sleep 600"},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, b)
			d := e2etest.Domain(b, "hook"+strconv.Itoa(i))
			dir := t.TempDir()
			calls, started, deployed := filepath.Join(dir, "calls"), filepath.Join(dir, "started"), filepath.Join(dir, "deployed")

			hook := writeScript(t, fmt.Sprintf(`#!/bin/sh
echo call >> '%[1]s'
if [ ! -e '%[2]s' ]; then
	touch '%[2]s'
	%[3]s
fi
echo "deploying $LEGO_CERT_DOMAIN"
echo "$LEGO_CERT_PATH" > '%[4]s'
`, calls, started, tt.first, deployed))

			args := []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run", "--run-hook", hook}

			if tt.first == "exit 3" {
				if res := h.Run(t, args...); res.Code != 1 || !strings.Contains(res.Stderr, "runs again on the next renew") {
					t.Fatalf("run with a failing hook: want exit 1 saying the hook runs again:\n%s", res)
				}
			} else {
				runKilledDuringHook(t, h, started, args)
			}

			storedCert(t, h.Path, d)

			if _, err := os.Stat(deployed); err == nil {
				t.Fatal("the first hook call deployed already; the test proves nothing")
			}

			// The certificate is fresh: not due. The pending hook runs anyway.
			res := h.Run(t, "renew", "--days", "0", "--ari-disable", "--no-random-sleep")
			if res.Code != 0 || len(lines(res.Stdout, d+": ran the hook left pending by an earlier run")) != 1 {
				t.Fatalf("renew did not run the pending hook:\n%s", res)
			}

			if !strings.Contains(res.Stdout, "deploying "+d) {
				t.Errorf("hook output is not on stdout (as lego prints it):\n%s", res)
			}

			got, err := os.ReadFile(deployed)
			if err != nil || strings.TrimSpace(string(got)) != e2etest.CertBase(h.Path, d)+".crt" {
				t.Errorf("the hook deployed %q (%v), want the stored certificate's path", got, err)
			}

			// Once succeeded, it is not run again.
			h.Run(t, "renew", "--days", "0", "--ari-disable", "--no-random-sleep")

			raw, _ := os.ReadFile(calls)
			if n := strings.Count(string(raw), "call"); n != 2 {
				t.Errorf("hook called %d times, want 2 (the interrupted or failed call, then the one on renew)", n)
			}
		})
	}
}

// runKilledDuringHook starts lego-persist args in its own process group,
// waits until its hook has started, then SIGKILLs the whole group (the
// process and its hook), as a crash or reboot would.
func runKilledDuringHook(t *testing.T, h *e2etest.Harness, started string, args []string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()

	cmd := h.Command(ctx, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard

	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	for {
		if _, err := os.Stat(started); err == nil {
			break
		}

		if ctx.Err() != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatal("the hook never started")
		}

		time.Sleep(20 * time.Millisecond)
	}

	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	_ = cmd.Wait()
}

func TestVersionNamesTheCommitAndTheLegoVersionItIsBuiltOn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	res := e2etest.Exec(ctx, t, binary.Path, nil, "--version")

	// The lego version is go.mod's; the commit is known when built in a
	// git checkout.
	re := regexp.MustCompile(`^lego-persist version e2e \S+/\S+ \(commit ([0-9a-f]{12}(\+dirty)?|unknown), lego v4\.35\.2\)\n$`)
	if res.Code != 0 || !re.MatchString(res.Stdout) {
		t.Errorf("--version:\n%s\nwant %s", res, re)
	}
}
