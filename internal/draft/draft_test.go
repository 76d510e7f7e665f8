package draft

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-acme/lego/v4/acme/api"
)

func TestDecodeChallengeDetectsVersion(t *testing.T) {
	draft02 := Meta{AccountHashPrefix: "https://ca.example/account-hash/", IssuerDomainNames: []string{"ca.example"}}

	tests := []struct {
		name    string
		raw     string
		meta    Meta
		version Version
		issuers []string
		acctURI string
	}{
		{
			name:    "draft-01 carries accounturi",
			raw:     `{"type":"dns-persist-01","url":"u","status":"pending","accounturi":"https://ca.example/acct/1","issuer-domain-names":["ca.example","ca.example.net"]}`,
			version: Draft01, issuers: []string{"ca.example", "ca.example.net"}, acctURI: "https://ca.example/acct/1",
		},
		{
			name:    "draft-00 has no accounturi",
			raw:     `{"type":"dns-persist-01","url":"u","status":"pending","issuer-domain-names":["ca.example"]}`,
			version: Draft00, issuers: []string{"ca.example"},
		},
		{
			name:    "draft-02 announced by the directory",
			raw:     `{"type":"dns-persist-01","url":"u","status":"pending","issuerDomainNames":["ca.example"]}`,
			meta:    draft02,
			version: Draft02, issuers: []string{"ca.example"},
		},
		{
			name:    "draft-02 field without directory meta",
			raw:     `{"type":"dns-persist-01","url":"u","status":"pending","issuerDomainNames":["ca.example"]}`,
			version: Draft02, issuers: []string{"ca.example"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := DecodeChallenge([]byte(tt.raw), tt.meta)
			if err != nil {
				t.Fatal(err)
			}

			if c.Version != tt.version || c.AccountURI != tt.acctURI || strings.Join(c.IssuerDomainNames, ",") != strings.Join(tt.issuers, ",") {
				t.Errorf("got %+v", c)
			}
		})
	}
}

func TestDecodeChallengeRejectsBadChallenges(t *testing.T) {
	eleven := `"a.example","b.example","c.example","d.example","e.example","f.example","g.example","h.example","i.example","j.example","k.example"`
	long := strings.Repeat(strings.Repeat("a", 60)+".", 4) + "example" // 247 octets
	long += ".example"                                                 // 255 octets
	draft02 := Meta{AccountHashPrefix: "https://ca.example/h/", IssuerDomainNames: []string{"ca.example"}}

	tests := []struct {
		name string
		raw  string
		meta Meta
	}{
		{"not JSON", `{`, Meta{}},
		{"wrong type", `{"type":"dns-01","url":"u","issuer-domain-names":["ca.example"]}`, Meta{}},
		{"no issuers", `{"type":"dns-persist-01","url":"u","accounturi":"x","issuer-domain-names":[]}`, Meta{}},
		{"issuers missing", `{"type":"dns-persist-01","url":"u","accounturi":"x"}`, Meta{}},
		{"eleven issuers", `{"type":"dns-persist-01","url":"u","accounturi":"x","issuer-domain-names":[` + eleven + `]}`, Meta{}},
		{"upper-case issuer", `{"type":"dns-persist-01","url":"u","accounturi":"x","issuer-domain-names":["CA.example"]}`, Meta{}},
		{"trailing dot", `{"type":"dns-persist-01","url":"u","accounturi":"x","issuer-domain-names":["ca.example."]}`, Meta{}},
		{"too long issuer", `{"type":"dns-persist-01","url":"u","accounturi":"x","issuer-domain-names":["` + long + `"]}`, Meta{}},
		{"empty accounturi", `{"type":"dns-persist-01","url":"u","accounturi":"","issuer-domain-names":["ca.example"]}`, Meta{}},
		{"draft-02 names differ from directory", `{"type":"dns-persist-01","url":"u","issuerDomainNames":["other.example"]}`, draft02},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeChallenge([]byte(tt.raw), tt.meta)
			if !errors.Is(err, ErrBadChallenge) {
				t.Fatalf("want ErrBadChallenge, got %v", err)
			}
		})
	}
}

func TestMetaVersionAndIssuers(t *testing.T) {
	m, err := ParseDirectory([]byte(`{"newOrder":"x","meta":{"caaIdentities":["pebble.letsencrypt.org"]}}`))
	if err != nil {
		t.Fatal(err)
	}

	if m.Version() != Draft01 || m.Issuers()[0] != "pebble.letsencrypt.org" {
		t.Errorf("got %v %v", m.Version(), m.Issuers())
	}

	m, err = ParseDirectory([]byte(`{"meta":{"caaIdentities":["x.example"],"issuerDomainNames":["ca.example"],"accountHashPrefix":"https://ca.example/h/"}}`))
	if err != nil {
		t.Fatal(err)
	}

	if m.Version() != Draft02 || m.Issuers()[0] != "ca.example" || m.IssuerNamesNote != "" {
		t.Errorf("got %v %v %q", m.Version(), m.Issuers(), m.IssuerNamesNote)
	}

	// draft-02 §3.2: a nonconforming D only means "no pre-provisioning".
	m, err = ParseDirectory([]byte(`{"meta":{"issuerDomainNames":["CA.example"],"accountHashPrefix":"p"}}`))
	if err != nil {
		t.Fatalf("nonconforming issuerDomainNames refused the directory: %v", err)
	}

	if m.IssuerDomainNames != nil || !strings.Contains(m.IssuerNamesNote, "upper-case") {
		t.Errorf("nonconforming D kept: %q, note %q", m.IssuerDomainNames, m.IssuerNamesNote)
	}
}

// draft-02 §3.2: D ⊆ C, and C ⊆ I when the directory advertises I.
func TestDraft02ChallengeIssuerSets(t *testing.T) {
	ch := func(names ...string) []byte {
		b, _ := json.Marshal(map[string]any{"type": ChallengeType, "url": "https://ca.example/c/1", "status": "pending", "issuerDomainNames": names})
		return b
	}

	tests := []struct {
		name   string
		meta   Meta
		offer  []string
		reason string // "" for accepted
	}{
		{"C equals D", Meta{AccountHashPrefix: "p", IssuerDomainNames: []string{"ca.example"}}, []string{"ca.example"}, ""},
		{"C offers one more than D", Meta{AccountHashPrefix: "p", IssuerDomainNames: []string{"ca.example"}}, []string{"ca.example", "ca2.example"}, ""},
		{"C lacks a name of D", Meta{AccountHashPrefix: "p", IssuerDomainNames: []string{"ca.example", "ca2.example"}}, []string{"ca.example"}, `include "ca2.example"`},
		{"C within I", Meta{AccountHashPrefix: "p", CAAIdentities: []string{"ca.example", "ca2.example"}, IssuerDomainNames: []string{"ca.example"}}, []string{"ca.example", "ca2.example"}, ""},
		{"I compared normalized", Meta{AccountHashPrefix: "p", CAAIdentities: []string{"CA.Example."}}, []string{"ca.example"}, ""},
		{"C outside I", Meta{AccountHashPrefix: "p", CAAIdentities: []string{"ca.example"}}, []string{"ca.example", "rogue.example"}, `"rogue.example", which is not among the directory's caaIdentities`},
		{"no D (no pre-provisioning): any valid C", Meta{AccountHashPrefix: "p"}, []string{"ca.example"}, ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeChallenge(ch(tt.offer...), tt.meta)

			switch {
			case tt.reason == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason) || !errors.Is(err, ErrBadChallenge)):
				t.Errorf("error %v, want ErrBadChallenge naming %q", err, tt.reason)
			}
		})
	}
}

func TestAccountURIPerVersion(t *testing.T) {
	meta := Meta{AccountHashPrefix: "https://ca.example/account-hash/"}
	acct := Account{URL: "https://ca.example/acct/123", Thumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}

	tests := []struct {
		v    Version
		form Form
		want string
	}{
		{Draft00, FormExact, "https://ca.example/acct/123"},
		{Draft01, FormExact, "https://ca.example/acct/123"},
		{Draft02, FormExact, "https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
		{Draft02, FormAnyDomain, "https://ca.example/account-hash/sha-256/NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug"},
	}

	for _, tt := range tests {
		got, err := AccountURI(tt.v, meta, acct, "example.com", tt.form)
		if err != nil {
			t.Fatal(err)
		}

		if got != tt.want {
			t.Errorf("%v form %d: got %s, want %s", tt.v, tt.form, got, tt.want)
		}
	}

	uris, err := AccountURIs(Draft02, meta, acct, "example.com")
	if err != nil || len(uris) != 2 || uris[0] != tests[2].want || uris[1] != tests[3].want {
		t.Fatalf("AccountURIs: %v %v", uris, err)
	}

	// Values hashed with an earlier key still authorize (draft-02 §4.2).
	prior := Account{URL: acct.URL, Thumbprint: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}
	withPrior := Account{URL: acct.URL, Thumbprint: prior.Thumbprint, PriorThumbprints: []string{acct.Thumbprint}}

	uris, err = AccountURIs(Draft02, meta, withPrior, "example.com")
	if err != nil || len(uris) != 4 || !slices.Contains(uris, tests[2].want) || !slices.Contains(uris, tests[3].want) {
		t.Fatalf("AccountURIs with a prior key: %v %v", uris, err)
	}

	if cur, _ := AccountURI(Draft02, meta, prior, "example.com", FormExact); uris[0] != cur {
		t.Errorf("AccountURIs[0] = %s, want the current key's exact form %s", uris[0], cur)
	}

	if _, err := AccountURI(Draft02, Meta{}, acct, "example.com", FormExact); err == nil {
		t.Error("draft-02 without accountHashPrefix accepted")
	}
}

// TestThumbprintMatchesLego checks our thumbprint against the one lego puts
// in key authorizations, for the key types lego supports.
func TestThumbprintMatchesLego(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"newNonce":"http://x/n","newAccount":"http://x/a","newOrder":"http://x/o"}`))
	}))
	defer srv.Close()

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	for name, key := range map[string]crypto.PrivateKey{"EC P-256": ec, "RSA 2048": rsaKey} {
		t.Run(name, func(t *testing.T) {
			core, err := api.New(srv.Client(), "test", srv.URL, "", key)
			if err != nil {
				t.Fatal(err)
			}

			keyAuth, err := core.GetKeyAuthorization("token")
			if err != nil {
				t.Fatal(err)
			}

			got, err := Thumbprint(key)
			if err != nil {
				t.Fatal(err)
			}

			if want := strings.TrimPrefix(keyAuth, "token."); got != want || len(got) != 43 {
				t.Errorf("thumbprint %q, lego says %q", got, want)
			}
		})
	}
}
