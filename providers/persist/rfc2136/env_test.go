package rfc2136

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var allEnv = []string{EnvNameserver, EnvTSIGKey, EnvTSIGSecret, EnvTSIGAlgorithm, EnvTSIGFile, EnvTTL, EnvDNSTimeout, EnvZones}

// clearEnv unsets every variable the provider reads (as the test's own
// t.Setenv, restored afterwards), so the machine's environment cannot leak in.
func clearEnv(t *testing.T) {
	t.Helper()

	for _, name := range allEnv {
		for _, n := range []string{name, altEnvName(name)} {
			t.Setenv(n, "")
			t.Setenv(n+"_FILE", "")
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "value")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	return path
}

type wantProvider struct {
	nameserver, key, secret, algorithm string
	ttl                                uint32
	timeout                            time.Duration
	zones                              []string
}

func checkProvider(t *testing.T, d *DNSProvider, want wantProvider) {
	t.Helper()

	got := wantProvider{d.nameserver, d.key, d.secret, d.algorithm, d.ttl, d.timeout, d.zones}
	if got.nameserver != want.nameserver || got.key != want.key || got.secret != want.secret ||
		got.algorithm != want.algorithm || got.ttl != want.ttl || got.timeout != want.timeout || !slices.Equal(got.zones, want.zones) {
		t.Errorf("provider = %+v, want %+v", got, want)
	}
}

func TestNewDNSProviderReadsDNSUPDATEVariables(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvNameserver, "127.0.0.1:5353")
	t.Setenv(EnvTSIGKey, "Persist-Key")
	t.Setenv(EnvTSIGSecret, testSecret)
	t.Setenv(EnvTSIGAlgorithm, "HMAC-SHA384")
	t.Setenv(EnvTTL, "600")
	t.Setenv(EnvDNSTimeout, "3")
	t.Setenv(EnvZones, "example.com, www.example.com")

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	checkProvider(t, d, wantProvider{
		nameserver: "127.0.0.1:5353", key: "persist-key.", secret: testSecret, algorithm: dns.HmacSHA384,
		ttl: 600, timeout: 3 * time.Second, zones: []string{"www.example.com.", "example.com."},
	})
}

func TestNewDNSProviderDefaults(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvNameserver, "ns.example.com")

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	checkProvider(t, d, wantProvider{nameserver: "ns.example.com:53", ttl: DefaultTTL, timeout: DefaultDNSTimeout})
}

func TestNewDNSProviderFallsBackToRFC2136Variables(t *testing.T) {
	clearEnv(t)
	t.Setenv("RFC2136_NAMESERVER", "192.0.2.1")
	t.Setenv("RFC2136_TSIG_KEY", "legacy")
	t.Setenv("RFC2136_TSIG_SECRET", testSecret)
	t.Setenv("RFC2136_TSIG_ALGORITHM", "hmac-sha1.")
	t.Setenv("RFC2136_TTL", "120")
	t.Setenv("RFC2136_DNS_TIMEOUT", "7")
	t.Setenv("RFC2136_ZONES", "example.org")

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	checkProvider(t, d, wantProvider{
		nameserver: "192.0.2.1:53", key: "legacy.", secret: testSecret, algorithm: dns.HmacSHA1,
		ttl: 120, timeout: 7 * time.Second, zones: []string{"example.org."},
	})
}

func TestNewDNSProviderPrefersDNSUPDATEOverRFC2136(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvNameserver, "192.0.2.1")
	t.Setenv("RFC2136_NAMESERVER", "192.0.2.99")

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if d.nameserver != "192.0.2.1:53" {
		t.Errorf("nameserver = %s, want the DNSUPDATE_ one", d.nameserver)
	}
}

func TestNewDNSProviderReadsFILEVariants(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvNameserver+"_FILE", writeFile(t, "192.0.2.1:53\n"))
	t.Setenv(EnvTSIGKey+"_FILE", writeFile(t, "persist-key\n"))
	t.Setenv("RFC2136_TSIG_SECRET_FILE", writeFile(t, testSecret+"\n"))

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	checkProvider(t, d, wantProvider{
		nameserver: "192.0.2.1:53", key: "persist-key.", secret: testSecret, algorithm: DefaultTSIGAlgorithm,
		ttl: DefaultTTL, timeout: DefaultDNSTimeout,
	})
}

func TestNewDNSProviderReadsTheTSIGKeyFile(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvNameserver, "192.0.2.1")
	t.Setenv(EnvTSIGFile, filepath.Join("testdata", "tsig-keygen.key"))
	// The file wins over the separate variables, as in lego.
	t.Setenv(EnvTSIGKey, "ignored")
	t.Setenv(EnvTSIGSecret, "aWdub3JlZA==")

	d, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	checkProvider(t, d, wantProvider{
		nameserver: "192.0.2.1:53", key: "persist-key.", secret: testSecret, algorithm: dns.HmacSHA512,
		ttl: DefaultTTL, timeout: DefaultDNSTimeout,
	})
}

func TestNewDNSProviderNamesWhatIsMissingOrWrong(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"no nameserver", map[string]string{EnvTSIGKey: "k"}, []string{EnvNameserver, "RFC2136_NAMESERVER"}},
		{"key without secret", map[string]string{EnvNameserver: "192.0.2.1", EnvTSIGKey: "k"}, []string{EnvTSIGSecret}},
		{"secret without key", map[string]string{EnvNameserver: "192.0.2.1", EnvTSIGSecret: testSecret}, []string{EnvTSIGKey}},
		{"TTL not a number", map[string]string{EnvNameserver: "192.0.2.1", EnvTTL: "1h"}, []string{EnvTTL}},
		{"timeout not seconds", map[string]string{EnvNameserver: "192.0.2.1", "RFC2136_DNS_TIMEOUT": "10s"}, []string{EnvDNSTimeout}},
		{"key file without secret", map[string]string{EnvNameserver: "192.0.2.1", EnvTSIGFile: filepath.Join("testdata", "no-secret.key")}, []string{EnvTSIGFile, "no secret"}},
		{"bad algorithm", map[string]string{EnvNameserver: "192.0.2.1", EnvTSIGKey: "k", EnvTSIGSecret: testSecret, EnvTSIGAlgorithm: "hmac-md5.sig-alg.reg.int"}, []string{EnvTSIGAlgorithm}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			if err == nil {
				t.Fatal("NewDNSProvider succeeded")
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}

			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func TestParseTSIGKeyFile(t *testing.T) {
	t.Parallel()

	tests := []struct {
		file    string
		want    tsigKey
		wantErr string
	}{
		{"tsig-keygen.key", tsigKey{Name: "persist-key", Algorithm: "hmac-sha512", Secret: testSecret}, ""},
		{"one-line.key", tsigKey{Name: "persist-key", Algorithm: "hmac-sha256", Secret: testSecret}, ""},
		{"commented.key", tsigKey{Name: "persist-key", Secret: testSecret}, ""},
		{"no-secret.key", tsigKey{}, "no secret"},
		{"no-key.key", tsigKey{}, "no key statement"},
	}

	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()

			got, err := readTSIGFile(filepath.Join("testdata", tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.file) {
					t.Errorf("error = %v, want %q naming the file", err, tt.wantErr)
				}

				return
			}

			if err != nil {
				t.Fatal(err)
			}

			if got != tt.want {
				t.Errorf("key = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseTSIGKeyRejectsMalformedText(t *testing.T) {
	t.Parallel()

	for _, text := range []string{
		`key "k" { secret "c2VjcmV0";`,
		`key { secret "c2VjcmV0"; };`,
		`key "k" { secret "c2VjcmV0; };`,
		`/* key "k" { secret "c2VjcmV0"; };`,
	} {
		if k, err := parseTSIGKey(text); err == nil {
			t.Errorf("parseTSIGKey(%q) = %+v, want an error", text, k)
		}
	}
}
