package record

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// sample returns n octets that differ by position, so a reordering or a lost
// octet changes the result.
func sample(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}

	return string(b)
}

func TestSplitKeepsEveryPartWithin255OctetsAndJoinRestoresTheValue(t *testing.T) {
	tests := []struct {
		size      int
		wantParts int
	}{
		{0, 1},
		{1, 1},
		{254, 1},
		{255, 1},
		{256, 2},
		{510, 2},
		{511, 3},
		{1000, 4},
	}

	for _, tt := range tests {
		value := sample(tt.size)
		parts := Split(value)

		if len(parts) != tt.wantParts {
			t.Errorf("Split(%d octets) gave %d parts, want %d", tt.size, len(parts), tt.wantParts)
		}

		for i, p := range parts {
			if len(p) > MaxStringLen {
				t.Errorf("Split(%d octets): part %d has %d octets", tt.size, i, len(p))
			}

			if i < len(parts)-1 && len(p) != MaxStringLen {
				t.Errorf("Split(%d octets): part %d of %d has %d octets, want full parts before the last",
					tt.size, i, len(parts), len(p))
			}

			if tt.size > 0 && p == "" {
				t.Errorf("Split(%d octets): part %d is empty", tt.size, i)
			}
		}

		if got := Join(parts); got != value {
			t.Errorf("Join(Split(%d octets)) differs from the value", tt.size)
		}
	}
}

func TestJoinConcatenatesInOrder(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"ca.example; ", "", "accounturi=x"}, "ca.example; accounturi=x"},
	}

	for _, tt := range tests {
		if got := Join(tt.in); got != tt.want {
			t.Errorf("Join(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestZoneLineQuotesAndSplits(t *testing.T) {
	long := sample(300)

	tests := []struct {
		name  string
		rname string
		ttl   uint32
		value string
		want  string
	}{
		{
			name:  "short value",
			rname: "_validation-persist.example.com.",
			ttl:   300,
			value: "ca.example; accounturi=" + acct1,
			want:  `_validation-persist.example.com. 300 IN TXT "ca.example; accounturi=https://ca.example/acme/acct/1"`,
		},
		{
			name:  "relative name gets the root dot",
			rname: "_validation-persist.example.com",
			ttl:   3600,
			value: "v",
			want:  `_validation-persist.example.com. 3600 IN TXT "v"`,
		},
		{
			name:  "quote and backslash are escaped",
			rname: "n.example.",
			ttl:   0,
			value: `a"b\c`,
			want:  `n.example. 0 IN TXT "a\"b\\c"`,
		},
		{
			name:  "controls and non-ASCII octets as \\DDD",
			rname: "n.example.",
			ttl:   60,
			value: "a\tb\x00\xff",
			want:  `n.example. 60 IN TXT "a\009b\000\255"`,
		},
		{
			name:  "value over 255 octets becomes two strings",
			rname: "n.example.",
			ttl:   60,
			value: long,
			want:  `n.example. 60 IN TXT "` + long[:255] + `" "` + long[255:] + `"`,
		},
		{
			name:  "empty value is one empty string",
			rname: "n.example.",
			ttl:   60,
			value: "",
			want:  `n.example. 60 IN TXT ""`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ZoneLine(tt.rname, tt.ttl, tt.value); got != tt.want {
				t.Errorf("ZoneLine()\n got  %s\n want %s", got, tt.want)
			}
		})
	}
}

// TestZoneLineLoadsBackAsTheSameOctets reads ZoneLine's output with a real
// master-file parser (miekg/dns) and compares the wire-format strings.
func TestZoneLineLoadsBackAsTheSameOctets(t *testing.T) {
	values := []string{
		"ca.example; accounturi=" + acct1 + "; policy=wildcard; persistUntil=1767225600",
		`q"uote\back` + sample(600) + "\x01\x7f\x80\xfe",
		strings.Repeat(`\"`, 200),
	}

	for _, value := range values {
		line := ZoneLine("_validation-persist.example.com.", 300, value)

		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("zone parser rejects %q: %v", line, err)
		}

		strs := wireStrings(t, rr)
		for i, s := range strs {
			if len(s) > MaxStringLen {
				t.Errorf("string %d has %d octets", i, len(s))
			}
		}

		if got := Join(strs); got != value {
			t.Errorf("loaded value differs:\n got  %q\n want %q", got, value)
		}
	}
}

// wireStrings packs rr and returns the character-strings of its RDATA as
// octets (RFC 1035 §3.3.14).
func wireStrings(t *testing.T, rr dns.RR) []string {
	t.Helper()

	buf := make([]byte, 65535)

	n, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatalf("pack: %v", err)
	}

	nameLen, err := dns.PackDomainName(rr.Header().Name, make([]byte, 256), 0, nil, false)
	if err != nil {
		t.Fatalf("pack name: %v", err)
	}

	rdlen := int(binary.BigEndian.Uint16(buf[nameLen+8:]))
	rdata := buf[nameLen+10 : n]

	if len(rdata) != rdlen {
		t.Fatalf("rdata is %d octets, RDLENGTH says %d", len(rdata), rdlen)
	}

	var out []string

	for len(rdata) > 0 {
		l := int(rdata[0])
		out = append(out, string(rdata[1:1+l]))
		rdata = rdata[1+l:]
	}

	return out
}
