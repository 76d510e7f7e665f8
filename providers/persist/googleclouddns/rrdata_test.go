package googleclouddns

import (
	"strings"
	"testing"
)

func TestFormatRRDataQuotesAndSplitsAt255Octets(t *testing.T) {
	long := strings.Repeat("a", 255) + strings.Repeat("b", 10)

	tests := []struct {
		value, want string
	}{
		{value: "ca.example; accounturi=https://ca/1", want: `"ca.example; accounturi=https://ca/1"`},
		{value: `say "hi" \ bye`, want: `"say \"hi\" \\ bye"`},
		{value: "tab\there\xff", want: `"tab\009here\255"`},
		{value: long, want: `"` + long[:255] + `" "` + long[255:] + `"`},
		{value: strings.Repeat("c", 510), want: `"` + strings.Repeat("c", 255) + `" "` + strings.Repeat("c", 255) + `"`},
	}

	for _, tt := range tests {
		if got := formatRRData(tt.value); got != tt.want {
			t.Errorf("formatRRData(%q) = %q, want %q", tt.value, got, tt.want)
		}

		if back, err := parseRRData(tt.want); err != nil || back != tt.value {
			t.Errorf("parseRRData(%q) = %q, %v; want %q", tt.want, back, err, tt.value)
		}
	}
}

func TestParseRRDataReadsWhatCloudDNSMayReturn(t *testing.T) {
	tests := []struct {
		rrdata, want string
	}{
		{rrdata: `"v=spf1" " -all"`, want: "v=spf1 -all"},
		{rrdata: `unquoted`, want: "unquoted"},
		{rrdata: `two words`, want: "twowords"},
		{rrdata: `"a\032b"`, want: "a b"},
		{rrdata: `""`, want: ""},
	}

	for _, tt := range tests {
		if got, err := parseRRData(tt.rrdata); err != nil || got != tt.want {
			t.Errorf("parseRRData(%q) = %q, %v; want %q", tt.rrdata, got, err, tt.want)
		}
	}

	for _, bad := range []string{`"open`, `"end\`, `"\256"`} {
		if got, err := parseRRData(bad); err == nil {
			t.Errorf("parseRRData(%q) = %q, want an error", bad, got)
		}
	}
}
