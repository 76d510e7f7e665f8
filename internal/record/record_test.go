package record

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	acct1 = "https://ca.example/acme/acct/1"
	acct2 = "https://ca.example/acme/acct/2"
)

func unix(n int64) time.Time { return time.Unix(n, 0).UTC() }

func TestParseAcceptsValidValues(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Value
	}{
		{
			name: "canonical minimal",
			in:   "ca.example; accounturi=" + acct1,
			want: Value{Issuer: "ca.example", AccountURI: acct1},
		},
		{
			name: "no whitespace at all",
			in:   "ca.example;accounturi=" + acct1 + ";policy=wildcard;persistUntil=1767225600",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true, PersistUntil: unix(1767225600)},
		},
		{
			name: "tabs and spaces around separators and at both ends",
			in:   " \tca.example \t;\t accounturi \t=\t " + acct1 + "\t ; policy = wildcard \t",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true},
		},
		{
			name: "mixed-case tags",
			in:   "ca.example; AccountURI=" + acct1 + "; POLICY=wildcard; PERSISTUNTIL=10",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true, PersistUntil: unix(10)},
		},
		{
			name: "policy value is case-insensitive",
			in:   "ca.example; accounturi=" + acct1 + "; policy=WildCard",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true},
		},
		{
			name: "policy=WILDCARD",
			in:   "ca.example; accounturi=" + acct1 + "; policy=WILDCARD",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true},
		},
		{
			name: "other policy value means no policy",
			in:   "ca.example; accounturi=" + acct1 + "; policy=subdomains",
			want: Value{Issuer: "ca.example", AccountURI: acct1},
		},
		{
			name: "empty policy value means no policy",
			in:   "ca.example; accounturi=" + acct1 + "; policy=",
			want: Value{Issuer: "ca.example", AccountURI: acct1},
		},
		{
			name: "unknown tags are ignored, also with empty values",
			in:   "ca.example; foo=bar; accounturi=" + acct1 + "; x-y-1=; k9=a=b",
			want: Value{Issuer: "ca.example", AccountURI: acct1},
		},
		{
			name: "persistUntil zero is the epoch, not absent",
			in:   "ca.example; accounturi=" + acct1 + "; persistUntil=0",
			want: Value{Issuer: "ca.example", AccountURI: acct1, PersistUntil: unix(0)},
		},
		{
			name: "persistUntil with leading zeros",
			in:   "ca.example; accounturi=" + acct1 + "; persistUntil=0042",
			want: Value{Issuer: "ca.example", AccountURI: acct1, PersistUntil: unix(42)},
		},
		{
			name: "accounturi may contain '=' and every printable except ';'",
			in:   "ca.example; accounturi=https://ca.example/a?b=c&d=e~!\"#$%'()*+,-./:<>@[\\]^_`{|}",
			want: Value{Issuer: "ca.example", AccountURI: "https://ca.example/a?b=c&d=e~!\"#$%'()*+,-./:<>@[\\]^_`{|}"},
		},
		{
			name: "issuer is kept as written",
			in:   "CA.Example; accounturi=" + acct1,
			want: Value{Issuer: "CA.Example", AccountURI: acct1},
		},
		{
			name: "A-label issuer, single-label issuer, digits",
			in:   "xn--bcher-kva.example; accounturi=" + acct1,
			want: Value{Issuer: "xn--bcher-kva.example", AccountURI: acct1},
		},
		{
			name: "draft-02 hashed accounturi",
			in:   "authority.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw",
			want: Value{Issuer: "authority.example", AccountURI: "https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}

			if got != tt.want {
				t.Errorf("Parse(%q)\n got  %#v\n want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRejectsMalformedValuesWithReason(t *testing.T) {
	ok := "; accounturi=" + acct1

	tests := []struct {
		name   string
		in     string
		reason string // substring of the error
	}{
		{"empty value", "", "issuer-domain-name: missing"},
		{"only whitespace", " \t ", "issuer-domain-name: missing"},
		{"no issuer", ok, "issuer-domain-name: missing"},
		{"issuer with a space", "ca example" + ok, "whitespace"},
		{"issuer with a trailing dot", "ca.example." + ok, "ends with a dot"},
		{"issuer with an empty label", "ca..example" + ok, "empty label"},
		{"issuer with an underscore", "ca_x.example" + ok, "not letters, digits"},
		{"issuer label with a leading hyphen", "-ca.example" + ok, "not letters, digits"},
		{"issuer label over 63 octets", strings.Repeat("a", 64) + ".example" + ok, "longer than 63"},
		{"issuer over 253 octets", strings.Repeat("a.", 127) + "ab" + ok, "longer than 253"},
		{"issuer with non-ASCII", "bücher.example" + ok, "not letters, digits"},
		{"issuer only", "ca.example", "missing mandatory accounturi"},
		{"issuer and trailing ';'", "ca.example;", "trailing ';'"},
		{"missing accounturi", "ca.example; policy=wildcard", "missing mandatory accounturi"},
		{"empty accounturi", "ca.example; accounturi=", "empty accounturi"},
		{"empty accounturi with whitespace", "ca.example; accounturi = \t", "empty accounturi"},
		{"trailing ';'", "ca.example" + ok + ";", "trailing ';'"},
		{"trailing ';' and whitespace", "ca.example" + ok + " ; \t", "trailing ';'"},
		{"empty parameter in the middle", "ca.example;;" + ok[1:], "empty parameter 1"},
		{"empty parameter between two", "ca.example" + ok + "; ; policy=wildcard", "empty parameter 2"},
		{"parameter without '='", "ca.example" + ok + "; policy", "has no '='"},
		{"empty tag", "ca.example" + ok + "; =wildcard", "empty tag"},
		{"tag with an underscore", "ca.example" + ok + "; per_sist=1", "tag \"per_sist\""},
		{"tag with a space inside", "ca.example; account uri=" + acct1, "tag \"account uri\""},
		{"tag with a trailing hyphen", "ca.example" + ok + "; x-=1", "tag \"x-\""},
		{"duplicate tag", "ca.example" + ok + "; accounturi=" + acct2, "duplicate tag"},
		{"duplicate tag in another case", "ca.example" + ok + "; AccountURI=" + acct1, "duplicate tag \"AccountURI\""},
		{"duplicate unknown tag", "ca.example" + ok + "; foo=1; FOO=2", "duplicate tag"},
		{"duplicate policy", "ca.example" + ok + "; policy=wildcard; policy=wildcard", "duplicate tag"},
		{"value with a space", "ca.example; accounturi=https://ca.example/a b", "whitespace at offset"},
		{"value with a tab inside", "ca.example; accounturi=https://ca.example/a\tb", "whitespace at offset"},
		{"value with a control character", "ca.example; accounturi=https://ca.example/a\x01b", "control character 0x01"},
		{"value with DEL", "ca.example; accounturi=https://ca.example/a\x7fb", "control character 0x7f"},
		{"value with non-ASCII", "ca.example; accounturi=https://ca.example/ä", "non-ASCII octet"},
		{"unknown tag value with non-ASCII", "ca.example" + ok + "; note=é", "non-ASCII octet"},
		{"newline around ';' is not WSP", "ca.example\n" + ok, "not letters, digits"},
		{"CR before '='", "ca.example; accounturi\r=" + acct1, "tag \"accounturi\\r\""},
		{"vertical tab after '='", "ca.example; accounturi=\v" + acct1, "control character 0x0b"},
		{"no-break space around ';'", "ca.example\u00a0" + ok, "not letters, digits"},
		{"persistUntil empty", "ca.example" + ok + "; persistUntil=", "persistUntil \"\": empty"},
		{"persistUntil negative", "ca.example" + ok + "; persistUntil=-1", "not a non-negative base-10 integer"},
		{"persistUntil with plus sign", "ca.example" + ok + "; persistUntil=+1", "not a non-negative base-10 integer"},
		{"persistUntil fractional", "ca.example" + ok + "; persistUntil=1.5", "not a non-negative base-10 integer"},
		{"persistUntil hexadecimal", "ca.example" + ok + "; persistUntil=0x10", "not a non-negative base-10 integer"},
		{"persistUntil RFC 3339", "ca.example" + ok + "; persistUntil=2026-01-01T00:00:00Z", "not a non-negative base-10 integer"},
		{"persistUntil over int64", "ca.example" + ok + "; persistUntil=9223372036854775808", "too large"},
		{"persistUntil beyond time.Time", "ca.example" + ok + "; persistUntil=9223372036854775807", "too large"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want an error", tt.in, v)
			}

			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Parse(%q) error %v does not wrap ErrMalformed", tt.in, err)
			}

			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("Parse(%q) error %q does not name the reason %q", tt.in, err, tt.reason)
			}

			if v != (Value{}) {
				t.Errorf("Parse(%q) returned %#v with its error, want the zero Value", tt.in, v)
			}
		})
	}
}

func TestParseAcceptsTheLargestRepresentablePersistUntil(t *testing.T) {
	largest := "9223371974719179007" // math.MaxInt64 - 62135596800
	v, err := Parse("ca.example; accounturi=" + acct1 + "; persistUntil=" + largest)
	if err != nil {
		t.Fatal(err)
	}

	if got := v.PersistUntil.Unix(); got != maxUnixSeconds {
		t.Errorf("PersistUntil.Unix() = %d, want %d", got, int64(maxUnixSeconds))
	}

	if !v.PersistUntil.After(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("PersistUntil %v does not compare as far future", v.PersistUntil)
	}
}

func TestValueStringIsCanonical(t *testing.T) {
	tests := []struct {
		name string
		in   Value
		want string
	}{
		{
			name: "issuer and account only",
			in:   Value{Issuer: "ca.example", AccountURI: acct1},
			want: "ca.example; accounturi=" + acct1,
		},
		{
			name: "wildcard policy",
			in:   Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true},
			want: "ca.example; accounturi=" + acct1 + "; policy=wildcard",
		},
		{
			name: "persistUntil in Unix seconds, fraction dropped, any zone",
			in:   Value{Issuer: "ca.example", AccountURI: acct1, PersistUntil: time.Unix(1767225600, 999).In(time.FixedZone("X", 3600))},
			want: "ca.example; accounturi=" + acct1 + "; persistUntil=1767225600",
		},
		{
			name: "everything",
			in:   Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true, PersistUntil: unix(1)},
			want: "ca.example; accounturi=" + acct1 + "; policy=wildcard; persistUntil=1",
		},
		{
			name: "the SPEC.md draft-02 example",
			in:   Value{Issuer: "authority.example", AccountURI: "https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"},
			want: "authority.example; accounturi=https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseOfStringRoundTrips(t *testing.T) {
	inputs := []string{
		"ca.example; accounturi=" + acct1,
		"\tCA.example ;ACCOUNTURI = " + acct2 + " ; Policy=Wildcard; unknown=x; PersistUntil=000123",
		"ca.example; accounturi=" + acct1 + "; policy=none; persistUntil=0",
		"a; accounturi=x=y",
	}

	for _, in := range inputs {
		v, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}

		again, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(String()) of %q: %v (String() = %q)", in, err, v.String())
		}

		if again != v {
			t.Errorf("round trip of %q: got %#v, want %#v", in, again, v)
		}

		if again.String() != v.String() {
			t.Errorf("String() is not stable: %q then %q", v.String(), again.String())
		}
	}
}
