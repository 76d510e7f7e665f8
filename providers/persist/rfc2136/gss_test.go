package rfc2136

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var gssEnv = []string{EnvTSIGGSSRealm, EnvTSIGGSSUsername, EnvTSIGGSSPassword, EnvTSIGGSSKeytabFile}

func clearGSSEnv(t *testing.T) {
	t.Helper()
	clearEnv(t)

	for _, name := range gssEnv {
		for _, n := range append([]string{name}, gssAltEnvNames(name)...) {
			t.Setenv(n, "")
			t.Setenv(n+"_FILE", "")
		}
	}
}

func TestGSSTSIGReadsLegosVariablesAndTheirTwins(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want gssCredentials
	}{
		{
			name: "DNSUPDATE_TSIG_GSS_*",
			env: map[string]string{
				"DNSUPDATE_TSIG_GSS_REALM": "EXAMPLE.COM", "DNSUPDATE_TSIG_GSS_USERNAME": "acme",
				"DNSUPDATE_TSIG_GSS_PASSWORD": "hunter2",
			},
			want: gssCredentials{realm: "EXAMPLE.COM", username: "acme", password: "hunter2"},
		},
		{
			name: "DNSUPDATE_RFC3645_* twins",
			env:  map[string]string{"DNSUPDATE_RFC3645_USERNAME": "acme", "DNSUPDATE_RFC3645_KEYTAB_FILE": "/etc/acme.keytab"},
			want: gssCredentials{username: "acme", keytab: "/etc/acme.keytab"},
		},
		{
			name: "RFC2136_TSIG_GSS_* twins",
			env:  map[string]string{"RFC2136_TSIG_GSS_REALM": "AD.EXAMPLE", "RFC2136_TSIG_GSS_USERNAME": "acme", "RFC2136_TSIG_GSS_PASSWORD": "pw"},
			want: gssCredentials{realm: "AD.EXAMPLE", username: "acme", password: "pw"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearGSSEnv(t)
			t.Setenv(EnvNameserver, "127.0.0.1:5353")
			t.Setenv(EnvTSIGAlgorithm, "gss-tsig")

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			d, err := NewDNSProvider()
			if err != nil {
				t.Fatal(err)
			}

			if d.gss == nil || *d.gss != tt.want {
				t.Errorf("GSS credentials = %+v, want %+v", d.gss, tt.want)
			}

			if d.key != "" {
				t.Errorf("HMAC key %q set beside GSS-TSIG", d.key)
			}
		})
	}
}

func TestGSSTSIGRefusesIncompleteOrMixedSettings(t *testing.T) {
	base := Config{Nameserver: "127.0.0.1:5353", TSIGAlgorithm: "GSS-TSIG."}

	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"no user name", func(c *Config) { c.TSIGGSSPassword = "pw" }, EnvTSIGGSSUsername},
		{"neither password nor keytab", func(c *Config) { c.TSIGGSSUsername = "acme" }, EnvTSIGGSSKeytabFile},
		{"password and keytab", func(c *Config) {
			c.TSIGGSSUsername, c.TSIGGSSPassword, c.TSIGGSSKeytabFile = "acme", "pw", "/k"
		}, "not both"},
		{"with a TSIG file", func(c *Config) { c.TSIGGSSUsername, c.TSIGGSSPassword, c.TSIGFile = "acme", "pw", "/f" }, EnvTSIGFile},
		{"with an HMAC key", func(c *Config) {
			c.TSIGGSSUsername, c.TSIGGSSPassword, c.TSIGKey, c.TSIGSecret = "acme", "pw", "k", testSecret
		}, EnvTSIGKey},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.modify(&cfg)

			_, err := NewDNSProviderConfig(&cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewDNSProviderConfig = %v, want an error naming %s", err, tt.want)
			}

			if cfg.TSIGGSSPassword != "" && strings.Contains(err.Error(), cfg.TSIGGSSPassword) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// A failed negotiation (here: no Kerberos configuration to find a KDC with)
// names the server and the user, and never the password.
func TestGSSTSIGNegotiationFailureKeepsThePasswordOut(t *testing.T) {
	t.Setenv("KRB5_CONFIG", filepath.Join(t.TempDir(), "missing-krb5.conf"))

	const password = "s3cret-Kerberos-pw"

	d, err := NewDNSProviderConfig(&Config{
		Nameserver: "127.0.0.1:1", TSIGAlgorithm: "gss-tsig", Zone: "example.com.",
		TSIGGSSUsername: "acme", TSIGGSSPassword: password, TSIGGSSRealm: "EXAMPLE.COM", DNSTimeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}

	err = d.Publish(context.Background(), "_validation-persist.www.example.com.", "ca.example; accounturi=https://ca.example/acct/1")
	if err == nil {
		t.Fatal("Publish without a KDC succeeded")
	}

	for _, want := range []string{"GSS-TSIG", "127.0.0.1:1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}

	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
}
