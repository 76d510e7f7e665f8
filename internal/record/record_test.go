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
			name: "spaces around separators and at both ends",
			in:   "  ca.example  ;  accounturi  =  " + acct1 + "  ; policy = wildcard  ",
			want: Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true},
		},
		{
			name: "a TAB inside a value is \\009 to the CA: syntax fine, the accounturi is another",
			in:   "ca.example; accounturi=\t" + acct1,
			want: Value{Issuer: "ca.example", AccountURI: `\009` + acct1},
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
			name: "accounturi may contain '=' and every printable except ';', '\"' and '\\' come escaped",
			in:   "ca.example; accounturi=https://ca.example/a?b=c&d=e~!\"#$%'()*+,-./:<>@[\\]^_`{|}",
			want: Value{Issuer: "ca.example", AccountURI: "https://ca.example/a?b=c&d=e~!\\\"#$%'()*+,-./:<>@[\\\\]^_`{|}"},
		},
		{
			name: "unknown tags of any spelling and with non-ASCII values are ignored",
			in:   "ca.example; bad tag=value; note=é; accounturi=" + acct1,
			want: Value{Issuer: "ca.example", AccountURI: acct1},
		},
		{
			name: "a trailing dot and upper case are kept as written",
			in:   "CA.example.; accounturi=" + acct1,
			want: Value{Issuer: "CA.example.", AccountURI: acct1},
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
		{"empty value", "", "missing issuer-domain-name"},
		{"only spaces", "   ", "missing issuer-domain-name"},
		{"a TAB is no whitespace to the CA: it is the issuer \\009", " \t ", "missing mandatory accounturi"},
		{"a TAB around ';' and '=' makes the tags unknown", "ca.example;\taccounturi\t=" + acct1, "missing mandatory accounturi"},
		{"no issuer", ok, "missing issuer-domain-name"},
		{"issuer only", "ca.example", "missing mandatory accounturi"},
		{"issuer and trailing ';'", "ca.example;", "trailing ';'"},
		{"missing accounturi", "ca.example; policy=wildcard", "missing mandatory accounturi"},
		{"empty accounturi", "ca.example; accounturi=", "empty accounturi"},
		{"empty accounturi with spaces", "ca.example; accounturi =  ", "empty accounturi"},
		{"trailing ';'", "ca.example" + ok + ";", "trailing ';'"},
		{"trailing ';' and spaces", "ca.example" + ok + " ;  ", "trailing ';'"},
		{"trailing ';' and a TAB (\\009 to the CA)", "ca.example" + ok + " ; \t", `parameter "\\009" is not tag=value`},
		{"empty parameter in the middle", "ca.example;;" + ok[1:], "empty parameter 1"},
		{"empty parameter between two", "ca.example" + ok + "; ; policy=wildcard", "empty parameter 2"},
		{"parameter without '='", "ca.example" + ok + "; policy", "is not tag=value"},
		{"empty tag", "ca.example" + ok + "; =wildcard", "empty tag"},
		{"duplicate tag", "ca.example" + ok + "; accounturi=" + acct2, "occurs twice"},
		{"duplicate tag in another case", "ca.example" + ok + "; AccountURI=" + acct1, `tag "AccountURI" occurs twice`},
		{"duplicate unknown tag (Pebble's rule)", "ca.example" + ok + "; foo=1; FOO=2", "occurs twice"},
		{"value with a space", "ca.example; accounturi=https://ca.example/a b", "octet 0x20"},
		{"persistUntil empty", "ca.example" + ok + "; persistUntil=", "not a base-10 64-bit integer"},
		{"persistUntil fractional", "ca.example" + ok + "; persistUntil=1.5", "not a base-10 64-bit integer"},
		{"persistUntil hexadecimal", "ca.example" + ok + "; persistUntil=0x10", "not a base-10 64-bit integer"},
		{"persistUntil RFC 3339", "ca.example" + ok + "; persistUntil=2026-01-01T00:00:00Z", "not a base-10 64-bit integer"},
		{"persistUntil over int64", "ca.example" + ok + "; persistUntil=9223372036854775808", "not a base-10 64-bit integer"},
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

func TestParseTakesPersistUntilAsTheCAsDo(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"+5", 5},
		{"-1", -1},
		{"0042", 42},
		{"9223372036854775807", 9223372036854775807}, // time.Unix wraps; Unix() gives it back
	}

	for _, tt := range tests {
		v, err := Parse("ca.example; accounturi=" + acct1 + "; persistUntil=" + tt.in)
		if err != nil {
			t.Fatalf("persistUntil=%s: %v", tt.in, err)
		}

		if got := v.PersistUntil.Unix(); got != tt.want {
			t.Errorf("persistUntil=%s: Unix() = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalNamesTheField(t *testing.T) {
	tests := []struct {
		in     Value
		reason string // "" for canonical
	}{
		{Value{Issuer: "ca.example", AccountURI: acct1}, ""},
		{Value{Issuer: "ca.example", AccountURI: acct1, Wildcard: true, PersistUntil: unix(1)}, ""},
		{Value{Issuer: "CA.example", AccountURI: acct1}, "upper-case"},
		{Value{Issuer: "ca.example.", AccountURI: acct1}, "trailing dot"},
		{Value{Issuer: "ca.example", AccountURI: ""}, "empty accounturi"},
		{Value{Issuer: "ca.example", AccountURI: `https://ca.example/a"b`}, "not canonical"},
		{Value{Issuer: "ca.example", AccountURI: `https://ca.example/a\b`}, "not canonical"},
		{Value{Issuer: "ca.example", AccountURI: acct1, PersistUntil: unix(-1)}, "before 1970"},
	}

	for _, tt := range tests {
		err := Canonical(tt.in)

		switch {
		case tt.reason == "" && err != nil:
			t.Errorf("Canonical(%#v) = %v, want nil", tt.in, err)
		case tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)):
			t.Errorf("Canonical(%#v) = %v, want an error naming %q", tt.in, err, tt.reason)
		}
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
		" ca.example ;ACCOUNTURI = " + acct2 + " ; Policy=Wildcard; unknown=x; PersistUntil=000123",
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
