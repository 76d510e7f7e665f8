package reliability

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// Recognizable secrets: if any of them shows up in output, it leaked.
const (
	wrongTSIGSecret = "V1JPTkctVFNJRy1TRUNSRVQtbXVzdC1uZXZlci1sZWFr" // base64, valid form
	cloudflareToken = "CF-TOKEN-must-never-leak-0123456789abcdef"
	httpreqPassword = "HTTPREQ-PASSWORD-must-never-leak-42"
	eabHMAC         = "RUFCLUhNQUMtbXVzdC1uZXZlci1sZWFrLTAxMjM0NTY3ODk"
)

// fakeHTTPReq is an httpreq endpoint: with the right Basic credentials it
// adds the record to the bed's BIND, else it answers 401.
func fakeHTTPReq(t *testing.T, b *bed.Bed) *httptest.Server {
	t.Helper()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "httpreq-user" || pass != httpreqPassword {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}

		var body struct{ FQDN, Value string }

		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}

		if strings.HasSuffix(r.URL.Path, "/present") {
			if err := b.AddTXT(r.Context(), body.FQDN, body.Value); err != nil {
				http.Error(w, "update failed", http.StatusInternalServerError)
				return
			}
		}

		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)

	return srv
}

// fakeCloudflare refuses everything, as Cloudflare does for a bad token.
func fakeCloudflare(t *testing.T) *httptest.Server {
	t.Helper()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}`)
	}))
	t.Cleanup(srv.Close)

	return srv
}

// TestNoCommandPrintsASecret runs every command (and its --help), in
// success and in failure (a wrong TSIG secret: BADSIG; a refused httpreq
// and Cloudflare token; an EAB HMAC), with secrets in the environment and
// on the command line, and greps stdout and stderr for them and for the
// account key.
func TestNoCommandPrintsASecret(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	zone := strings.TrimSuffix(b.Zone, ".")
	d := e2etest.Domain(b, "secret")

	httpreq := fakeHTTPReq(t, b)
	cf := fakeCloudflare(t)

	common := []string{
		"CLOUDFLARE_DNS_API_TOKEN=" + cloudflareToken,
		"CLOUDFLARE_BASE_URL=" + cf.URL,
		"CLOUDFLARE_ZONE=" + zone,
		"HTTPREQ_ENDPOINT=" + httpreq.URL,
		"HTTPREQ_USERNAME=httpreq-user",
		"HTTPREQ_PASSWORD=" + httpreqPassword,
		"LEGO_EAB_HMAC=" + eabHMAC,
	}
	wrongTSIG := append([]string{"DNSUPDATE_TSIG_SECRET=" + wrongTSIGSecret}, common...)
	// The last value of a variable wins in exec.Cmd.Env.
	wrongPassword := append(append([]string{}, common...), "HTTPREQ_PASSWORD=wrong-"+httpreqPassword)

	renew := []string{"renew", "--days", "9999", "--no-random-sleep", "--ari-disable"}

	runs := []struct {
		env  []string
		args []string
		// want: exit code and a piece of the output, so that a failure
		// case really failed the way it should.
		code int
		want string
	}{
		{common, []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"}, 0, "obtained"},
		{common, append([]string{"--dns-persist", "rfc2136", "-d", d}, renew...), 0, "renewed"},
		{common, append([]string{"--dns-persist", "cloudflare"}, renew...), 0, "renewed"},
		{common, []string{"-d", d, "record"}, 0, "_validation-persist." + d},
		{common, []string{"-d", d, "record", "--json"}, 0, "accounturi"},
		{common, []string{"-d", d, "check"}, 0, "ok"},
		{common, []string{"check", "--json"}, 0, "ok"},
		{common, []string{"list"}, 0, d},
		{common, []string{"dnshelp"}, 0, "HTTPREQ_PASSWORD"},
		{common, []string{"dnshelp", "-c", "cloudflare"}, 0, "CLOUDFLARE_DNS_API_TOKEN"},
		{common, []string{"--dns-persist", "httpreq", "-d", e2etest.Domain(b, "viahttpreq"), "run"}, 0, "obtained"},
		{common, []string{"--dns-persist", "rfc2136", "-d", d, "remove"}, 0, "removed"},
		// Failures.
		{wrongTSIG, []string{"--dns-persist", "rfc2136", "-d", e2etest.Domain(b, "badsig"), "run"}, 1, "BADSIG"},
		{wrongTSIG, []string{"--dns-persist", "rfc2136", "-d", d, "remove"}, 0, "nothing to remove"},
		{wrongPassword, []string{"--dns-persist", "httpreq", "-d", e2etest.Domain(b, "refused"), "run"}, 1, "401"},
		{common, []string{"--dns-persist", "cloudflare", "-d", e2etest.Domain(b, "viacf"), "run"}, 1, "cloudflare"},
		{common, []string{"--email", "eab@example.com", "--accept-tos", "--eab", "--kid", "kid-1", "--hmac", eabHMAC, "--dns-persist", "rfc2136", "-d", d, "run"}, -1, ""},
		{common, []string{"--dns-persist", "nosuchdns", "-d", d, "run"}, 2, "nosuchdns"},
	}

	for _, help := range [][]string{{"--help"}, {"run", "--help"}, {"renew", "--help"}, {"record", "--help"}, {"check", "--help"}, {"remove", "--help"}, {"list", "--help"}, {"dnshelp", "--help"}} {
		runs = append(runs, struct {
			env  []string
			args []string
			code int
			want string
		}{common, help, 0, "USAGE"})
	}

	var secrets []string

	for _, r := range runs {
		h.Env = r.env
		res := h.run(t, r.args...)
		h.Env = nil

		if r.code >= 0 && (res.Code != r.code || !strings.Contains(res.output(), r.want)) {
			t.Errorf("lego-persist %v: want exit %d and %q in the output:\n%s", r.args, r.code, r.want, res)
		}

		if secrets == nil {
			secrets = []string{b.TSIGSecret, wrongTSIGSecret, cloudflareToken, httpreqPassword, eabHMAC}
			secrets = append(secrets, keyLines(t, h.Path)...)

			if len(secrets) == 5 {
				t.Fatalf("no account key after the first run:\n%s", res)
			}
		}

		for _, s := range secrets {
			if strings.Contains(res.output(), s) {
				t.Errorf("lego-persist %v printed a secret (%.6s...):\n%s", r.args, s, res)
			}
		}
	}
}

// keyLines are the base64 lines of every private key under path: any of
// them in the output would be a leak.
func keyLines(t *testing.T, path string) []string {
	t.Helper()

	var out []string

	for p, content := range tree(t, path) {
		if !strings.HasSuffix(p, ".key") {
			continue
		}

		for _, l := range strings.Split(content, "\n") {
			if len(l) >= 40 && !strings.HasPrefix(l, "-----") {
				out = append(out, l)
			}
		}
	}

	return out
}

// TestAccountFilesArePrivateAndAReadableKeyIsReported checks the modes of
// everything the CLI creates (folders 0700, files 0600) and that a key
// made readable by others is named in a warning on the next run.
func TestAccountFilesArePrivateAndAReadableKeyIsReported(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "modes")

	if res := h.run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("run:\n%s", res)
	}

	var key string

	err := filepath.WalkDir(h.Path, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}

		info, err := e.Info()
		if err != nil {
			return err
		}

		want := os.FileMode(0o600)
		if e.IsDir() {
			want = 0o700
		}

		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %04o, want %04o", p, got, want)
		}

		if strings.HasSuffix(p, filepath.Join("keys", email+".key")) {
			key = p
		}

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	if key == "" {
		t.Fatal("no account key stored")
	}

	res := h.run(t, "renew", "--days", "0", "--no-random-sleep", "--ari-disable")
	if res.Code != 0 || strings.Contains(res.Stderr, "readable by group or others") {
		t.Errorf("renew with a 0600 key: want exit 0 and no warning:\n%s", res)
	}

	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}

	res = h.run(t, "renew", "--days", "0", "--no-random-sleep", "--ari-disable")
	if !strings.Contains(res.Stderr, key+" is readable by group or others") || !strings.Contains(res.Stderr, "chmod 600") {
		t.Errorf("renew with a 0644 key: no warning naming %s:\n%s", key, res)
	}
}

// TestTLSVerificationIsNeverSilentlyOff: without LEGO_CA_CERTIFICATES the
// bed's CA is untrusted and every command fails naming the variable; with
// --tls-skip-verify it works but says loudly, every run, that nothing is
// verified.
func TestTLSVerificationIsNeverSilentlyOff(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "tls")

	h.Env = []string{"LEGO_CA_CERTIFICATES="}

	for _, args := range [][]string{
		{"--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"},
	} {
		res := h.run(t, args...)
		if res.Code != 1 || !strings.Contains(res.Stderr, "LEGO_CA_CERTIFICATES") || !strings.Contains(res.Stderr, "unknown authority") {
			t.Errorf("lego-persist %v with an untrusted CA: want exit 1 naming LEGO_CA_CERTIFICATES:\n%s", args, res)
		}
	}

	for _, args := range [][]string{
		{"--tls-skip-verify", "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"},
		{"--tls-skip-verify", "renew", "--days", "9999", "--no-random-sleep", "--ari-disable"},
		{"--tls-skip-verify", "-d", d, "check"},
	} {
		res := h.run(t, args...)
		if res.Code != 0 {
			t.Errorf("lego-persist %v: %s", args, res)
		}

		if !strings.Contains(res.Stderr, "WARNING: --tls-skip-verify: the CA's TLS certificate is NOT verified") {
			t.Errorf("lego-persist %v: no warning about --tls-skip-verify:\n%s", args, res)
		}
	}

	h.Env = nil

	if res := h.run(t, "-d", d, "check"); strings.Contains(res.Stderr, "NOT verified") {
		t.Errorf("warning printed without --tls-skip-verify:\n%s", res)
	}
}
