package record

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error wraps
// ErrMalformed, and that every accepted canonical value survives a String
// round trip.
// The seed corpus lives in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("ca.example; accounturi=https://ca.example/acct/1")
	f.Add("ca.example; accounturi=https://ca.example/acct/1; policy=wildcard; persistUntil=1767225600")

	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrMalformed", s, err)
			}

			if v != (Value{}) {
				t.Fatalf("Parse(%q) returned %#v with an error", s, v)
			}

			return
		}

		if Canonical(v) != nil {
			// Fields in CA form with escapes, or an issuer no CA
			// offers: String() of such a value is not meant to be
			// published, and Parse reads it escaped once more.
			return
		}

		out := v.String()

		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v, but Parse(String() = %q) fails: %v", s, v, out, err)
		}

		if again != v {
			t.Fatalf("round trip of %q: %#v became %#v", s, v, again)
		}

		if again.String() != out {
			t.Fatalf("String() not stable: %q then %q", out, again.String())
		}
	})
}
