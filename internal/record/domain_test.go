package record

import (
	"fmt"
	"strings"
	"testing"
)

// label63 is a label of the maximum length.
var label63 = strings.Repeat("a", 63)

// nameOf returns a valid name of exactly n octets (n >= 3) built from
// 63-octet labels.
func nameOf(n int) string {
	var labels []string

	for n > 64 {
		labels = append(labels, label63)
		n -= 64
	}

	labels = append(labels, strings.Repeat("b", n))

	return strings.Join(labels, ".")
}

func TestNormalizeDomain(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string // substring; "" for success
	}{
		{in: "example.com", want: "example.com"},
		{in: "Example.COM", want: "example.com"},
		{in: "example.com.", want: "example.com"},
		{in: "bücher.example", want: "xn--bcher-kva.example"},
		{in: "BÜCHER.example.", want: "xn--bcher-kva.example"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "*.example.com", want: "*.example.com"},
		{in: "*.Bücher.Example", want: "*.xn--bcher-kva.example"},
		{in: "a-b.c9.example", want: "a-b.c9.example"},
		{in: "bücher。example", want: "xn--bcher-kva.example"}, // ideographic full stop
		{in: label63 + ".example", want: label63 + ".example"},
		{in: nameOf(253), want: nameOf(253)},
		{in: "", wantErr: "empty domain name"},
		{in: ".", wantErr: "no labels"},
		{in: "*.", wantErr: "no labels"},
		{in: "example..com", wantErr: "empty label"},
		{in: ".example.com", wantErr: "empty label"},
		{in: "example.com..", wantErr: "empty label"},
		{in: "exa mple.com", wantErr: "whitespace"},
		{in: " example.com", wantErr: "whitespace"},
		{in: "ex_ample.com", wantErr: "not a valid internationalized domain name"},
		{in: "-example.com", wantErr: "not a valid internationalized domain name"},
		{in: "example-.com", wantErr: "not a valid internationalized domain name"},
		{in: "exa/mple.com", wantErr: "not a valid internationalized domain name"},
		{in: "xn--zz.example", wantErr: "not a valid internationalized domain name"},
		{in: "a.*.example.com", wantErr: "'*' is only allowed"},
		{in: "*example.com", wantErr: "'*' is only allowed"},
		{in: "**.example.com", wantErr: "'*' is only allowed"},
		{in: "*.*.example.com", wantErr: "'*' is only allowed"},
		{in: label63 + "a.example", wantErr: "longer than 63"},
		{in: nameOf(254), wantErr: "longer than 253"},
		{in: "*." + nameOf(252), wantErr: "longer than 253"},
	}

	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.40s", tt.in), func(t *testing.T) {
			got, err := NormalizeDomain(tt.in)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizeDomain(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
				}

				return
			}

			if err != nil || got != tt.want {
				t.Fatalf("NormalizeDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}

			if again, err := NormalizeDomain(got); err != nil || again != got {
				t.Errorf("NormalizeDomain is not idempotent: %q -> %q, %v", got, again, err)
			}
		})
	}
}

func TestRecordNameStripsTheWildcardLabelAndEndsWithADot(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "example.com", want: "_validation-persist.example.com."},
		{in: "*.Example.COM", want: "_validation-persist.example.com."},
		{in: "www.example.com.", want: "_validation-persist.www.example.com."},
		{in: "bücher.example", want: "_validation-persist.xn--bcher-kva.example."},
		{in: nameOf(233), want: "_validation-persist." + nameOf(233) + "."},
		{in: nameOf(234), wantErr: "longer than 253"},
		{in: "a.*.example", wantErr: "'*'"},
		{in: "", wantErr: "empty"},
	}

	for _, tt := range tests {
		got, err := RecordName(tt.in)

		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("RecordName(%.40q) = %q, %v; want an error containing %q", tt.in, got, err, tt.wantErr)
			}

			continue
		}

		if err != nil || got != tt.want {
			t.Errorf("RecordName(%.40q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestValidateIssuerDomainName(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // "" for valid
	}{
		{in: "ca.example"},
		{in: "letsencrypt.org"},
		{in: "pebble.letsencrypt.org"},
		{in: "localhost"},
		{in: "xn--bcher-kva.example"},
		{in: "a-1.b2.example"},
		{in: nameOf(253)},
		{in: "", wantErr: "empty"},
		{in: "CA.example", wantErr: "upper-case"},
		{in: "ca.example.", wantErr: "trailing dot"},
		{in: "bücher.example", wantErr: "not ASCII"},
		{in: "ca example", wantErr: "' ' is not allowed"},
		{in: "ca..example", wantErr: "empty label"},
		{in: ".ca.example", wantErr: "empty label"},
		{in: "ca_x.example", wantErr: "'_' is not allowed"},
		{in: "-ca.example", wantErr: "hyphen"},
		{in: "ca-.example", wantErr: "hyphen"},
		{in: "*.ca.example", wantErr: "'*' is not allowed"},
		{in: "xn--zz.example", wantErr: "idna"},
		{in: label63 + "a.example", wantErr: "longer than 63"},
		{in: nameOf(254), wantErr: "longer than 253"},
		{in: "ca.example\x00", wantErr: "not allowed"},
		{in: "ca.example\xff", wantErr: "not ASCII"},
	}

	for _, tt := range tests {
		err := ValidateIssuerDomainName(tt.in)

		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("ValidateIssuerDomainName(%.40q) = %v, want nil", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ValidateIssuerDomainName(%.40q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestValidateIssuerDomainNames(t *testing.T) {
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = fmt.Sprintf("ca%d.example", i)
	}

	tests := []struct {
		name    string
		in      []string
		wantErr string // "" for valid
	}{
		{name: "one entry", in: []string{"ca.example"}},
		{name: "ten entries", in: ten},
		{name: "nil", in: nil, wantErr: "empty"},
		{name: "zero entries", in: []string{}, wantErr: "empty"},
		{name: "eleven entries", in: append(append([]string(nil), ten...), "ca10.example"), wantErr: "11 entries"},
		{name: "upper case names the entry", in: []string{"ca.example", "CA2.example"}, wantErr: "issuer-domain-names[1]: issuer-domain-name \"CA2.example\" has upper-case"},
		{name: "trailing dot", in: []string{"ca.example."}, wantErr: "issuer-domain-names[0]: issuer-domain-name \"ca.example.\" has a trailing dot"},
		{name: "over 253 octets", in: []string{"ca.example", nameOf(254)}, wantErr: "issuer-domain-names[1]: issuer-domain-name of 254 octets"},
		{name: "empty entry", in: []string{"ca.example", ""}, wantErr: "issuer-domain-names[1]: empty"},
		{name: "duplicate", in: []string{"ca.example", "ca.net", "ca.example"}, wantErr: "issuer-domain-names[2]: \"ca.example\" repeats entry 0"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateIssuerDomainNames(tt.in)

			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ValidateIssuerDomainNames(%q) = %v, want nil", tt.in, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("ValidateIssuerDomainNames(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}
