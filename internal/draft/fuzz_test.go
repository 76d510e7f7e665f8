package draft

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/lego-persist/lego-persist/internal/record"
)

// fuzzMetas are the directories a fuzzed challenge is decoded against,
// chosen by the fuzzer's second argument: none, a draft-01 directory, a
// draft-02 directory.
var fuzzMetas = []Meta{
	{},
	{CAAIdentities: []string{"ca.example"}},
	{AccountHashPrefix: "https://ca.example/account-hash/", IssuerDomainNames: []string{"ca.example", "ca.example.net"}},
}

// FuzzDecodeChallenge checks that DecodeChallenge never panics, that every
// error wraps ErrBadChallenge and comes with a zero Challenge, and that
// every accepted challenge satisfies the draft's rules: a dns-persist-01
// object, 1 to 10 distinct normalized issuer names, an accounturi exactly
// for draft-01, and for a draft-02 directory the directory's issuer names.
// The seed corpus lives in testdata/fuzz/FuzzDecodeChallenge.
func FuzzDecodeChallenge(f *testing.F) {
	f.Add([]byte(`{"type":"dns-persist-01","url":"u","status":"pending","accounturi":"https://ca.example/acct/1","issuer-domain-names":["ca.example"]}`), uint8(0))
	f.Add([]byte(`{"type":"dns-persist-01","url":"u","status":"pending","issuerDomainNames":["ca.example.net","ca.example"]}`), uint8(2))

	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		meta := fuzzMetas[int(which)%len(fuzzMetas)]

		c, err := DecodeChallenge(raw, meta)
		if err != nil {
			if !errors.Is(err, ErrBadChallenge) {
				t.Fatalf("DecodeChallenge(%q) error %v does not wrap ErrBadChallenge", raw, err)
			}

			if !reflect.DeepEqual(c, Challenge{}) {
				t.Fatalf("DecodeChallenge(%q) returned %+v with an error", raw, c)
			}

			return
		}

		var w struct {
			Type string `json:"type"`
		}

		if json.Unmarshal(raw, &w) != nil || w.Type != ChallengeType {
			t.Fatalf("accepted %q, which is not a %s object", raw, ChallengeType)
		}

		if err := record.ValidateIssuerDomainNames(c.IssuerDomainNames); err != nil {
			t.Fatalf("accepted %q with issuer names %q: %v", raw, c.IssuerDomainNames, err)
		}

		switch c.Version {
		case Draft01:
			if c.AccountURI == "" {
				t.Fatalf("accepted draft-01 challenge %q without accounturi", raw)
			}
		case Draft00, Draft02:
			if c.AccountURI != "" {
				t.Fatalf("accepted %s challenge %q with accounturi %q", c.Version, raw, c.AccountURI)
			}
		default:
			t.Fatalf("accepted %q as unknown version %d", raw, c.Version)
		}

		if meta.Version() == Draft02 {
			if c.Version != Draft02 {
				t.Fatalf("draft-02 directory, but %q decoded as %s", raw, c.Version)
			}

			for _, d := range meta.IssuerDomainNames {
				if !slices.Contains(c.IssuerDomainNames, d) {
					t.Fatalf("draft-02 challenge %q offers %q, lacking the directory's %q", raw, c.IssuerDomainNames, d)
				}
			}
		}

		again, err := DecodeChallenge(raw, meta)
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("decoding %q twice: %+v then %+v, %v", raw, c, again, err)
		}
	})
}
