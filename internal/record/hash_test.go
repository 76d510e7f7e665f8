package record

import (
	"strings"
	"testing"
)

// RFC 7638 §3.1 example key's thumbprint, used by the SPEC.md vectors.
const rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"

func TestHashAccountURIReproducesTheSpecVectors(t *testing.T) {
	const (
		prefix = "https://ca.example/account-hash/"
		acct   = "https://ca.example/acct/123"
	)

	tests := []struct {
		name   string
		domain string
		want   string
	}{
		{"exact domain", "example.com", prefix + "sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
		{"any-domain form", "*", prefix + "sha-256/NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug"},
		{"domain is normalized first", "Example.COM.", prefix + "sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
		{"wildcard identifier uses its record name's domain", "*.example.com", prefix + "sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashAccountURI(prefix, tt.domain, rfc7638Thumbprint, acct)
			if err != nil {
				t.Fatal(err)
			}

			if got != tt.want {
				t.Errorf("HashAccountURI(%q) = %q, want %q", tt.domain, got, tt.want)
			}
		})
	}

	// The full SPEC.md record.
	uri, err := HashAccountURI(prefix, "example.com", rfc7638Thumbprint, acct)
	if err != nil {
		t.Fatal(err)
	}

	got := Value{Issuer: "authority.example", AccountURI: uri}.String()
	if want := "authority.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"; got != want {
		t.Errorf("record = %q, want %q", got, want)
	}
}

func TestHashAccountURIDependsOnEveryInput(t *testing.T) {
	base := []string{"p/", "example.com", rfc7638Thumbprint, "https://ca.example/acct/1"}
	variants := [][]string{
		{"q/", base[1], base[2], base[3]},
		{base[0], "example.net", base[2], base[3]},
		{base[0], base[1], "A" + rfc7638Thumbprint[1:], base[3]},
		{base[0], base[1], base[2], "https://ca.example/acct/2"},
		// L || D is length-prefixed: moving octets from D into U must change the hash.
		{base[0], "example.co", base[2], "m" + base[3]},
	}

	ref, err := HashAccountURI(base[0], base[1], base[2], base[3])
	if err != nil {
		t.Fatal(err)
	}

	for _, v := range variants {
		got, err := HashAccountURI(v[0], v[1], v[2], v[3])
		if err != nil {
			t.Fatalf("HashAccountURI(%q): %v", v, err)
		}

		if got == ref {
			t.Errorf("HashAccountURI(%q) equals the result for %q", v, base)
		}
	}
}

func TestHashAccountURIRejectsBadInput(t *testing.T) {
	const acct = "https://ca.example/acct/1"

	tests := []struct {
		name                       string
		prefix, domain, thumb, url string
		wantErr                    string
	}{
		{"empty prefix", "", "example.com", rfc7638Thumbprint, acct, "accountHashPrefix"},
		{"prefix with a space", "https://ca.example/ x/", "example.com", rfc7638Thumbprint, acct, "accountHashPrefix"},
		{"prefix with ';'", "https://ca.example/;x/", "example.com", rfc7638Thumbprint, acct, "accountHashPrefix"},
		{"empty account URL", "p/", "example.com", rfc7638Thumbprint, "", "account URL"},
		{"account URL with a control", "p/", "example.com", rfc7638Thumbprint, acct + "\n", "account URL"},
		{"short thumbprint", "p/", "example.com", rfc7638Thumbprint[1:], acct, "thumbprint"},
		{"padded thumbprint", "p/", "example.com", rfc7638Thumbprint[1:] + "=", acct, "thumbprint"},
		{"standard base64 thumbprint", "p/", "example.com", strings.ReplaceAll(rfc7638Thumbprint, "-", "+"), acct, "thumbprint"},
		{"empty domain", "p/", "", rfc7638Thumbprint, acct, "empty domain"},
		{"invalid domain", "p/", "a..b", rfc7638Thumbprint, acct, "empty label"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HashAccountURI(tt.prefix, tt.domain, tt.thumb, tt.url)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("HashAccountURI() = %q, %v; want an error containing %q", got, err, tt.wantErr)
			}
		})
	}
}

func TestSplitHashedAccountURI(t *testing.T) {
	tests := []struct {
		uri    string
		prefix string
		ok     bool
	}{
		{"https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw", "https://ca.example/account-hash/", true},
		{"https://ca.example/acct/123", "", false},
		{"sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw", "", false},
		{"https://ca.example/sha-256/short", "", false},
		{"https://ca.example/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk+kw", "", false},
	}

	for _, tt := range tests {
		prefix, _, ok := SplitHashedAccountURI(tt.uri)
		if ok != tt.ok || prefix != tt.prefix {
			t.Errorf("SplitHashedAccountURI(%q) = %q, %v; want %q, %v", tt.uri, prefix, ok, tt.prefix, tt.ok)
		}
	}
}
