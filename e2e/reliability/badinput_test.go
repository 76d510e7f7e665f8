package reliability

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/storage"
)

// TestBadCLIInputFailsClearlyWithoutWritingAnything damages storage or
// passes bad flags and environment, one case at a time: each run fails
// with the expected exit code and an error naming the file or domain and
// the cause, sends no DNS update and changes no file under --path.
func TestBadCLIInputFailsClearlyWithoutWritingAnything(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	existing := e2etest.Domain(b, "exists")

	if res := h.run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", existing, "run"); res.Code != 0 {
		t.Fatalf("setup run:\n%s", res)
	}

	server, err := storage.ServerFolder(b.DirectoryURL)
	if err != nil {
		t.Fatal(err)
	}

	acctDir := filepath.Join(h.Path, "accounts", server, email)
	accountJSON := filepath.Join(acctDir, "account.json")
	accountKey := filepath.Join(acctDir, "keys", email+".key")

	for _, p := range []string{accountJSON, accountKey} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}

	fresh := e2etest.Domain(b, "fresh")
	renew := []string{"renew", "--days", "9999", "--no-random-sleep", "--ari-disable"}

	tests := []struct {
		name    string
		damage  map[string]string // file -> content, restored afterwards
		env     []string
		args    []string
		code    int
		mention []string // all must appear in the output
	}{
		{
			name:    "corrupted account.json on run",
			damage:  map[string]string{accountJSON: `{"email": "rel@example.com", "registration": {"bo`},
			args:    []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", fresh, "run"},
			code:    1,
			mention: []string{accountJSON, "unexpected end of JSON input"},
		},
		{
			name:    "corrupted account.json on renew",
			damage:  map[string]string{accountJSON: `not json at all`},
			args:    append([]string{"--dns-persist", "rfc2136"}, renew...),
			code:    1,
			mention: []string{accountJSON, "invalid character"},
		},
		{
			name:    "account key that is not PEM",
			damage:  map[string]string{accountKey: "this is not a key\n"},
			args:    []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", fresh, "run"},
			code:    1,
			mention: []string{accountKey},
		},
		{
			name:    "account key that is not PEM on renew",
			damage:  map[string]string{accountKey: "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"},
			args:    renew,
			code:    1,
			mention: []string{accountKey},
		},
		{
			name:    "unknown provider on run",
			args:    []string{"--accept-tos", "--dns-persist", "nosuchdns", "-d", fresh, "run"},
			code:    2,
			mention: []string{"--dns-persist nosuchdns", "dnshelp"},
		},
		{
			name:    "unknown provider on renew",
			args:    append([]string{"--dns-persist", "nosuchdns"}, renew...),
			code:    2,
			mention: []string{"--dns-persist nosuchdns", "dnshelp"},
		},
		{
			name:    "missing provider variable",
			env:     []string{"HTTPREQ_ENDPOINT="},
			args:    []string{"--accept-tos", "--dns-persist", "httpreq", "-d", fresh, "run"},
			code:    1,
			mention: []string{"--dns-persist httpreq", "HTTPREQ_ENDPOINT"},
		},
		{
			name:    "domain with a space",
			args:    []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", "exa mple." + strings.TrimSuffix(b.Zone, "."), "run"},
			code:    2,
			mention: []string{`"exa mple.`, "whitespace"},
		},
		{
			name:    "two wildcard labels",
			args:    []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", "*.*." + strings.TrimSuffix(b.Zone, "."), "run"},
			code:    2,
			mention: []string{`"*.*.`, "'*' is only allowed as the whole leftmost label"},
		},
		{
			name:    "empty label",
			args:    []string{"--dns-persist", "rfc2136", "-d", "a.." + strings.TrimSuffix(b.Zone, "."), "renew"},
			code:    2,
			mention: []string{`"a..`},
		},
		{
			name:    "label over 63 octets",
			args:    []string{"--accept-tos", "--dns-persist", "rfc2136", "-d", strings.Repeat("x", 64) + "." + strings.TrimSuffix(b.Zone, "."), "run"},
			code:    2,
			mention: []string{strings.Repeat("x", 64)},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := map[string][]byte{}

			for p, content := range tt.damage {
				old, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}

				saved[p] = old

				if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}

			defer func() {
				for p, old := range saved {
					if err := os.WriteFile(p, old, 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}()

			before, updates := tree(t, h.Path), e2etest.UpdateCount(t, b)

			h.Env = tt.env
			res := h.run(t, tt.args...)
			h.Env = nil

			if res.Code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", res.Code, tt.code, res)
			}

			for _, m := range tt.mention {
				if !strings.Contains(res.output(), m) {
					t.Errorf("output does not mention %q:\n%s", m, res)
				}
			}

			if after := e2etest.UpdateCount(t, b); after != updates {
				t.Errorf("%d DNS updates were sent", after-updates)
			}

			if after := tree(t, h.Path); !reflect.DeepEqual(after, before) {
				t.Errorf("files under --path changed: %s", diff(before, after))
			}
		})
	}
}

// diff names the files added, removed or changed between two trees.
func diff(before, after map[string]string) string {
	var out []string

	for p, v := range after {
		if old, ok := before[p]; !ok {
			out = append(out, "+"+p)
		} else if old != v {
			out = append(out, "~"+p)
		}
	}

	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, "-"+p)
		}
	}

	return strings.Join(out, " ")
}

// TestNonPEMCertificateFailsThatOneAndRenewsTheOthers damages one of two
// stored certificates: renew exits 1 naming the domain and the file, still
// renews the other, and leaves the damaged files as they were.
func TestNonPEMCertificateFailsThatOneAndRenewsTheOthers(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	good, bad := e2etest.Domain(b, "good"), e2etest.Domain(b, "bad")

	for i, d := range []string{good, bad} {
		args := []string{"--dns-persist", "rfc2136", "-d", d, "run"}
		if i == 0 {
			args = append([]string{"--accept-tos"}, args...)
		}

		if res := h.run(t, args...); res.Code != 0 {
			t.Fatalf("run %s:\n%s", d, res)
		}
	}

	badCrt := filepath.Join(h.Path, "certificates", bad+".crt")
	if err := os.WriteFile(badCrt, []byte("this is not a PEM certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	badBefore := map[string]string{}
	for p, v := range tree(t, h.Path) {
		if strings.HasPrefix(filepath.Base(p), bad+".") {
			badBefore[p] = v
		}
	}

	goodSerial := readSet(h.Path, good).leaf.SerialNumber
	updates := e2etest.UpdateCount(t, b)

	res := h.run(t, "--dns-persist", "rfc2136", "renew", "--days", "9999", "--no-random-sleep", "--ari-disable")
	if res.Code != 1 {
		t.Errorf("exit %d, want 1:\n%s", res.Code, res)
	}

	if !strings.Contains(res.Stdout, bad+": failed: ") || !strings.Contains(res.Stdout, badCrt+" is not a PEM certificate") {
		t.Errorf("no failure line naming %s and %s:\n%s", bad, badCrt, res)
	}

	if !strings.Contains(res.Stdout, "renewed 1, not due 0, failed 1 in ") {
		t.Errorf("summary: want 1 renewed, 1 failed:\n%s", res)
	}

	if s := readSet(h.Path, good); s.err != nil || s.leaf.SerialNumber.Cmp(goodSerial) == 0 {
		t.Errorf("%s was not renewed (err %v)", good, s.err)
	}

	for p, v := range badBefore {
		if got, _ := os.ReadFile(p); string(got) != v {
			t.Errorf("%s changed", p)
		}
	}

	if after := e2etest.UpdateCount(t, b); after != updates {
		t.Errorf("%d DNS updates were sent", after-updates)
	}
}

// TestIDNIsStoredAndPublishedUnderItsALabelName obtains a certificate for
// a U-label name: files, .json and the record use the A-label name, and
// renew accepts either spelling.
func TestIDNIsStoredAndPublishedUnderItsALabelName(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	ulabel, alabel := e2etest.Domain(b, "bücher"), e2etest.Domain(b, "xn--bcher-kva")

	res := h.run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", ulabel, "run")
	if res.Code != 0 {
		t.Fatalf("run:\n%s", res)
	}

	if !strings.Contains(res.Stdout, alabel+": obtained") {
		t.Errorf("stdout does not report %s:\n%s", alabel, res)
	}

	if s := readSet(h.Path, alabel); s.err != nil {
		t.Error(s.err)
	}

	raw, err := os.ReadFile(filepath.Join(h.Path, "certificates", alabel+".json"))
	if err != nil {
		t.Fatal(err)
	}

	var stored certificate.Resource
	if err := json.Unmarshal(raw, &stored); err != nil || stored.Domain != alabel {
		t.Errorf(".json domain %q (%v), want %s", stored.Domain, err, alabel)
	}

	for p := range tree(t, h.Path) {
		if strings.Contains(p, "bücher") {
			t.Errorf("file stored under the U-label: %s", p)
		}
	}

	if got, err := b.TXT(t.Context(), e2etest.RecordName(alabel)); err != nil || len(got) != 1 {
		t.Errorf("TXT at %s = %q, %v; want our record", e2etest.RecordName(alabel), got, err)
	}

	updates := e2etest.UpdateCount(t, b)

	res = h.run(t, "--dns-persist", "rfc2136", "-d", ulabel, "renew", "--days", "9999", "--no-random-sleep", "--ari-disable")
	if res.Code != 0 || !strings.Contains(res.Stdout, alabel+": renewed") {
		t.Errorf("renew -d %s:\n%s", ulabel, res)
	}

	if after := e2etest.UpdateCount(t, b); after != updates {
		t.Errorf("renewal sent %d DNS updates", after-updates)
	}
}
