package e2e

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

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

			proxy := e2etest.Proxy(t, b, e2etest.Draft02)

			client, cfg := e2etest.Account(t, b, proxy.URL)
			pub := e2etest.Publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(b, tt.opts...)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "d02")
			d := domain
			if tt.anyDomain {
				d = "*"
			}

			want := "pebble.letsencrypt.org; accounturi=" + e2etest.HashedAccountURI(t, cfg.User.GetPrivateKey(), d, cfg.User.GetRegistration().URI)

			// Pebble speaks draft-01 and compares the raw account URL, so it
			// rejects the draft-02 record: what matters is what was published.
			_, err := e2etest.Obtain(client, domain)

			var caErr *persist.CAError
			if !errors.As(err, &caErr) {
				t.Fatalf("want Pebble's rejection of the draft-02 value, got %v", err)
			}

			if got := e2etest.TXT(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
				t.Errorf("published %q, want [%q]", got, want)
			}

			if n := pub.Calls(); n != 1 {
				t.Errorf("%d publishes, want 1", n)
			}
		})
	}
}

func TestDraft01RecordDoesNotSatisfyADraft02CA(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, e2etest.Draft02)

	client, cfg := e2etest.Account(t, b, proxy.URL)
	pub := e2etest.Publisher(t, b)

	domain := e2etest.Domain(b, "migrate")
	rr := "_validation-persist." + domain + "."
	raw := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI

	if err := b.AddTXT(context.Background(), rr, raw); err != nil {
		t.Fatal(err)
	}

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	_, _ = e2etest.Obtain(client, domain) // Pebble rejects the hashed value; see above.

	got := e2etest.TXT(t, b, rr)
	hashed := "pebble.letsencrypt.org; accounturi=" + e2etest.HashedAccountURI(t, cfg.User.GetPrivateKey(), domain, cfg.User.GetRegistration().URI)

	if !slices.Contains(got, raw) || !slices.Contains(got, hashed) || len(got) != 2 {
		t.Errorf("want the draft-01 record kept and the draft-02 one added, have %q", got)
	}
}

// draft-02 §3.2: a challenge may offer more issuer names than the
// directory's issuerDomainNames (D ⊆ C ⊆ I). Such a challenge is solved:
// the exact hashed record is published.
func TestDraft02ChallengeWithAnExtraIssuerNameIsSolved(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, func(r *http.Request, body map[string]any) {
		e2etest.Draft02(r, body)

		if meta, ok := body["meta"].(map[string]any); ok {
			meta["caaIdentities"] = []any{e2etest.PebbleIssuer, "extra.example"}
		}

		bed.EachChallenge(body, func(ch map[string]any) {
			if ch["type"] == "dns-persist-01" {
				ch["issuerDomainNames"] = []any{e2etest.PebbleIssuer, "extra.example"}
			}
		})
	})

	client, cfg := e2etest.Account(t, b, proxy.URL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "extra")
	want := e2etest.PebbleIssuer + "; accounturi=" + e2etest.HashedAccountURI(t, cfg.User.GetPrivateKey(), domain, cfg.User.GetRegistration().URI)

	// Pebble (draft-01 inside) then refuses the hashed value; what matters
	// is that the challenge was not refused and the exact record published.
	_, err := e2etest.Obtain(client, domain)

	var caErr *persist.CAError
	if !errors.As(err, &caErr) {
		t.Fatalf("want the challenge answered (and Pebble's draft-01 rejection), got %v", err)
	}

	if got := pub.Published(); !slices.Equal(got, []string{want}) {
		t.Errorf("published %q, want [%q]", got, want)
	}
}
