package record

import (
	"strings"
	"testing"
)

func TestQuoteWritesCharacterStringsThatUnquoteReadsBack(t *testing.T) {
	a255, a256, a511 := strings.Repeat("a", 255), strings.Repeat("a", 256), strings.Repeat("a", 511)
	long := strings.Repeat("a", 255) + strings.Repeat("b", 10)

	tests := []struct {
		name   string
		value  string
		quoted string
	}{
		{name: "plain value", value: "ca.example; accounturi=https://ca/1", quoted: `"ca.example; accounturi=https://ca/1"`},
		{name: "empty value is one empty string", value: "", quoted: `""`},
		{name: "quote and backslash escaped", value: `say "hi" \ bye`, quoted: `"say \"hi\" \\ bye"`},
		{name: "quote and backslash next to a slash", value: `say "hi" \o/`, quoted: `"say \"hi\" \\o/"`},
		{name: "controls and non-ASCII as DDD", value: "tab\there\xff", quoted: `"tab\009here\255"`},
		{name: "DEL as DDD", value: "tab\there\x7f", quoted: `"tab\009here\127"`},
		{name: "NUL as DDD", value: "\x00", quoted: `"\000"`},
		{name: "255 octets stay one string", value: a255, quoted: `"` + a255 + `"`},
		{name: "256 octets become two strings", value: a256, quoted: `"` + a255 + `" "a"`},
		{name: "265 octets cut after 255", value: long, quoted: `"` + long[:255] + `" "` + long[255:] + `"`},
		{name: "510 octets become two full strings", value: strings.Repeat("c", 510), quoted: `"` + strings.Repeat("c", 255) + `" "` + strings.Repeat("c", 255) + `"`},
		{name: "511 octets become three strings", value: a511, quoted: `"` + a255 + `" "` + a255 + `" "a"`},
		{name: "escapes do not count against the 255 octets", value: strings.Repeat(`"`, 256), quoted: `"` + strings.Repeat(`\"`, 255) + `" "\""`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.value); got != tt.quoted {
				t.Errorf("Quote(%q) = %s, want %s", tt.value, got, tt.quoted)
			}

			if got, ok := Unquote(tt.quoted); !ok || got != tt.value {
				t.Errorf("Unquote(%s) = %q, %v; want %q, true", tt.quoted, got, ok, tt.value)
			}
		})
	}
}

func TestUnquoteReadsWhatDNSAPIsReturn(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "strings are concatenated", in: `"a" "b"`, want: "ab"},
		{name: "strings joined without a separator", in: `"v=spf1" " -all"`, want: "v=spf1 -all"},
		{name: "bare word", in: `unquoted`, want: "unquoted"},
		{name: "bare words are concatenated", in: `two words`, want: "twowords"},
		{name: "quoted and bare mixed, runs of blanks", in: `"a"  b  "c"`, want: "abc"},
		{name: "tabs separate strings", in: "\"a\"\tb", want: "ab"},
		{name: "a quote ends a bare word", in: `a"b c"`, want: "ab c"},
		{name: "DDD escapes", in: `"\065\066"`, want: "AB"},
		{name: "DDD escape for a space", in: `"a\032b"`, want: "a b"},
		{name: "DDD escape ending a bare word", in: `x\065`, want: "xA"},
		{name: "escaped character stands for itself", in: `"\a\"\\"`, want: `a"\`},
		{name: "escaped blank inside a bare word", in: `a\ b`, want: "a b"},
		{name: "fewer than three digits is not DDD", in: `"\06"`, want: "06"},
		{name: "empty string", in: `""`, want: ""},
		{name: "nothing at all", in: ``, want: ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := Unquote(tt.in); !ok || got != tt.want {
				t.Errorf("Unquote(%s) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestUnquoteRejectsMalformedInput(t *testing.T) {
	for _, in := range []string{
		`"open`,
		`"a" "open`,
		`"end\`,
		`trailing\`,
		`"trailing\`,
		`"bad\999"`,
		`"\256"`,
	} {
		if got, ok := Unquote(in); ok {
			t.Errorf("Unquote(%s) = %q, true; want false", in, got)
		}
	}
}
