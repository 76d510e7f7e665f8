package e2e

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/providers/persist"
)

const hashPrefix = "https://127.0.0.1/account-hash/"

// draft02 rewrites Pebble's draft-01 objects into the draft-02 shape: the
// directory announces accountHashPrefix and issuerDomainNames, challenges
// carry issuerDomainNames and no accounturi.
func draft02(r *http.Request, body map[string]any) {
	if meta, ok := body["meta"].(map[string]any); ok {
		meta["accountHashPrefix"] = hashPrefix
		meta["issuerDomainNames"] = []any{"pebble.letsencrypt.org"}
		meta["keyRotationPeriod"] = 86400
	}

	bed.EachChallenge(body, func(ch map[string]any) {
		if ch["type"] != "dns-persist-01" {
			return
		}

		ch["issuerDomainNames"] = ch["issuer-domain-names"]
		delete(ch, "issuer-domain-names")
		delete(ch, "accounturi")
	})
}

// hashedAccountURI computes the draft-02 value independently of the code
// under test: SHA-256 over len(D) || D || thumbprint || account URL.
func hashedAccountURI(t *testing.T, key crypto.PrivateKey, domain, accountURL string) string {
	t.Helper()

	jwk := jose.JSONWebKey{Key: key.(crypto.Signer).Public()}

	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}

	h := sha256.New()
	h.Write([]byte{byte(len(domain))})
	h.Write([]byte(domain))
	h.Write([]byte(base64.RawURLEncoding.EncodeToString(tp)))
	h.Write([]byte(accountURL))

	return hashPrefix + "sha-256/" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func TestDraft02CAGetsTheHashedAccountURIRecord(t *testing.T) {
	tests := []struct {
		name      string
		opts      []persist.Option
		anyDomain bool
	}{
		{name: "exact domain"},
		{name: "any domain", opts: []persist.Option{persist.WithAnyDomainAccountURI()}, anyDomain: true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := bed.New(t, bed.Options{})

			proxy, err := b.NewProxy(context.Background(), draft02)
			if err != nil {
				t.Fatal(err)
			}

			t.Cleanup(func() { _ = proxy.Close() })

			client, cfg := account(t, b, proxy.URL)
			pub := publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(b, tt.opts...)...); err != nil {
				t.Fatal(err)
			}

			domain := name(b, "d02")
			d := domain
			if tt.anyDomain {
				d = "*"
			}

			want := "pebble.letsencrypt.org; accounturi=" + hashedAccountURI(t, cfg.User.GetPrivateKey(), d, cfg.User.GetRegistration().URI)

			// Pebble speaks draft-01 and compares the raw account URL, so it
			// rejects the draft-02 record: what matters is what was published.
			_, err = obtain(client, domain)

			var caErr *persist.CAError
			if !errors.As(err, &caErr) {
				t.Fatalf("want Pebble's rejection of the draft-02 value, got %v", err)
			}

			if got := txt(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
				t.Errorf("published %q, want [%q]", got, want)
			}

			if n := pub.calls.Load(); n != 1 {
				t.Errorf("%d publishes, want 1", n)
			}
		})
	}
}

func TestDraft01RecordDoesNotSatisfyADraft02CA(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy, err := b.NewProxy(context.Background(), draft02)
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = proxy.Close() })

	client, cfg := account(t, b, proxy.URL)
	pub := publisher(t, b)

	domain := name(b, "migrate")
	rr := "_validation-persist." + domain + "."
	raw := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI

	if err := b.AddTXT(context.Background(), rr, raw); err != nil {
		t.Fatal(err)
	}

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	_, _ = obtain(client, domain) // Pebble rejects the hashed value; see above.

	got := txt(t, b, rr)
	hashed := "pebble.letsencrypt.org; accounturi=" + hashedAccountURI(t, cfg.User.GetPrivateKey(), domain, cfg.User.GetRegistration().URI)

	if !slices.Contains(got, raw) || !slices.Contains(got, hashed) || len(got) != 2 {
		t.Errorf("want the draft-01 record kept and the draft-02 one added, have %q", got)
	}
}
