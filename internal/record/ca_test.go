package record

import (
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Rules of the two CAs, as cited in the table below.
const (
	pebbleSplit   = "Pebble va/va.go splitIssuerDomainName"
	pebbleParse   = "Pebble va/va.go parseDNSPersistIssueValues"
	pebbleDecide  = "Pebble va/va.go validateDNSPersist01"
	boulderParse  = "Boulder va/dns_persist.go parseDNSPersistRecord"
	boulderCheck  = "Boulder va/dns_persist.go checkDNSPersistRecord"
	boulderDecide = "Boulder va/dns_persist.go validateDNSPersist01"
	boulderNorm   = "Boulder core.NormalizeIssuerDomainName"
	miekgForm     = "miekg/dns msg_helpers.go unpackString (the CAs' TXT strings)"
)

// TestEvaluateDecidesAsTheCAs runs one table of records through Evaluate,
// each annotated with the CA rule that decides it. The status is what a
// client must conclude: ok only when Pebble and Boulder both accept the
// record, ca-dependent when exactly one does.
func TestEvaluateDecidesAsTheCAs(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	future := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	past := strconv.FormatInt(now.Add(-time.Second).Unix(), 10)
	atNow := strconv.FormatInt(now.Unix(), 10)

	plain := Want{Issuers: []string{"ca.example", "ca.example.net"}, AccountURIs: []string{acct1}, At: now}
	wild := plain
	wild.Wildcard = true

	ours := "ca.example; accounturi=" + acct1

	tests := []struct {
		name string
		rule string
		txts []string
		want Want
		st   Status
	}{
		// Issuer-domain-name.
		{"canonical record", pebbleDecide + "; " + boulderDecide, []string{ours}, plain, StatusOK},
		{"second issuer of the challenge's list", pebbleDecide + " (slices.Contains of the challenge's issuers)", []string{"ca.example.net; accounturi=" + acct1}, plain, StatusOK},
		{"issuer in upper case", pebbleSplit + " compares exactly; " + boulderNorm + " lowercases", []string{"CA.Example; accounturi=" + acct1}, plain, StatusCADependent},
		{"issuer with a trailing dot", pebbleSplit + " compares exactly; " + boulderNorm + " drops the dot", []string{"ca.example.; accounturi=" + acct1}, plain, StatusCADependent},
		{"issuer in upper case with a trailing dot", pebbleSplit + "; " + boulderNorm, []string{"CA.EXAMPLE.; accounturi=" + acct1}, plain, StatusCADependent},
		{"empty issuer", pebbleSplit + " and " + boulderParse + " skip it", []string{"; accounturi=" + acct1}, plain, StatusWrongIssuer},
		{"other CA's issuer", pebbleDecide + " skips it", []string{"other.example; accounturi=" + acct1}, plain, StatusWrongIssuer},
		{"other CA's malformed record is not ours", pebbleDecide + " skips before parsing; " + boulderDecide + " skips it", []string{"other.example; ;;"}, plain, StatusWrongIssuer},
		{"U-label issuer is \\DDD escapes to the CA", miekgForm + "; " + boulderNorm + " fails on '\\'", []string{"bücher.example; accounturi=" + acct1}, Want{Issuers: []string{"xn--bcher-kva.example"}, AccountURIs: []string{acct1}, At: now}, StatusWrongIssuer},
		{"raw TAB between issuer and ';'", miekgForm + " (\\009 is part of the issuer)", []string{"ca.example\t; accounturi=" + acct1}, plain, StatusWrongIssuer},
		{"no-break space after the issuer", miekgForm + " (\\194\\160)", []string{"ca.example\u00a0; accounturi=" + acct1}, plain, StatusWrongIssuer},

		// Whitespace and separators.
		{"no whitespace at all", pebbleParse + " trimWSP", []string{"ca.example;accounturi=" + acct1 + ";policy=wildcard"}, wild, StatusOK},
		{"spaces around ';' and '='", pebbleParse + " trimWSP; " + boulderParse + " isWSP", []string{"  ca.example ;  accounturi =  " + acct1 + "  "}, plain, StatusOK},
		{"raw TAB after ';' makes accounturi an unknown tag", miekgForm + " (\\009accounturi)", []string{"ca.example;\taccounturi=" + acct1}, plain, StatusMalformed},
		{"raw TAB before '='", miekgForm + " (accounturi\\009)", []string{"ca.example; accounturi\t=" + acct1}, plain, StatusMalformed},
		{"raw TAB after the accounturi value", miekgForm + "; " + boulderCheck + " simple string comparison", []string{ours + "\t"}, plain, StatusWrongAccount},
		{"trailing ';'", pebbleParse + " empty parameter; " + boulderParse, []string{ours + ";"}, plain, StatusMalformed},
		{"empty parameter in the middle", pebbleParse + "; " + boulderParse, []string{"ca.example;; accounturi=" + acct1}, plain, StatusMalformed},
		{"parameter without '='", pebbleParse + " SplitN; " + boulderParse, []string{ours + "; policy"}, plain, StatusMalformed},
		{"empty tag", pebbleParse + "; " + boulderParse, []string{ours + "; =wildcard"}, plain, StatusMalformed},

		// Unknown tags.
		{"unknown tag spelled with a space", pebbleParse + " and " + boulderParse + " check no tag syntax", []string{ours + "; bad tag=value"}, plain, StatusOK},
		{"unknown tag with a non-ASCII value", miekgForm + " (\\195\\169 is printable ASCII)", []string{ours + "; note=é"}, plain, StatusOK},
		{"unknown tag with an empty value", pebbleParse + "; " + boulderParse, []string{ours + "; x-y="}, plain, StatusOK},
		{"unknown tag whose value holds '='", pebbleParse + " SplitN(param, \"=\", 2)", []string{ours + "; k=a=b"}, plain, StatusOK},
		{"unknown tag with a space in its value", pebbleParse + " and " + boulderParse + " check every value", []string{ours + "; note=a b"}, plain, StatusMalformed},
		{"unknown tag twice", pebbleParse + " refuses any repeated tag; " + boulderParse + " only known ones", []string{ours + "; foo=1; foo=2"}, plain, StatusCADependent},
		{"unknown tag twice in other case", pebbleParse + " (ToLower); " + boulderParse, []string{ours + "; foo=1; FOO=2"}, plain, StatusCADependent},

		// Known tags.
		{"tags in mixed case", pebbleParse + " and " + boulderParse + " ToLower the tag", []string{"ca.example; AccountURI=" + acct1 + "; POLICY=wildcard; PersistUntil=" + future}, wild, StatusOK},
		{"accounturi twice", pebbleParse + "; " + boulderParse + " duplicate parameter", []string{ours + "; accounturi=" + acct1}, plain, StatusMalformed},
		{"policy twice", pebbleParse + "; " + boulderParse, []string{ours + "; policy=wildcard; policy=wildcard"}, wild, StatusMalformed},
		{"persistUntil twice", pebbleParse + "; " + boulderParse, []string{ours + "; persistUntil=" + future + "; persistUntil=" + future}, plain, StatusMalformed},
		{"missing accounturi", pebbleDecide + " missing mandatory accountURI; " + boulderParse, []string{"ca.example; policy=wildcard"}, plain, StatusMalformed},
		{"issuer only", pebbleDecide + "; " + boulderParse, []string{"ca.example"}, plain, StatusMalformed},
		{"empty accounturi", pebbleParse + "; " + boulderParse, []string{"ca.example; accounturi="}, plain, StatusMalformed},
		{"another account", pebbleDecide + " accounturi mismatch; " + boulderCheck, []string{"ca.example; accounturi=" + acct2}, plain, StatusWrongAccount},
		{"accounturi in other case", boulderCheck + " RFC 3986 simple string comparison", []string{"ca.example; accounturi=HTTPS://CA.EXAMPLE/acme/acct/1"}, plain, StatusWrongAccount},
		{"accounturi with a trailing slash", boulderCheck + " simple string comparison", []string{ours + "/"}, plain, StatusWrongAccount},
		{"'\"' in the accounturi arrives escaped", miekgForm + " (\\\")", []string{`ca.example; accounturi=https://ca.example/acme/acct/"1`}, Want{Issuers: plain.Issuers, AccountURIs: []string{`https://ca.example/acme/acct/"1`}, At: now}, StatusWrongAccount},
		{"policy=wildcard for a wildcard name", pebbleDecide + "; " + boulderCheck, []string{ours + "; policy=wildcard"}, wild, StatusOK},
		{"policy value in mixed case", pebbleParse + " ToLower(value); " + boulderCheck, []string{ours + "; policy=WildCard"}, wild, StatusOK},
		{"another policy value means none", pebbleParse + "; " + boulderCheck, []string{ours + "; policy=subdomains"}, wild, StatusNoWildcard},
		{"no policy for a wildcard name", pebbleDecide + " policy mismatch; " + boulderCheck, []string{ours}, wild, StatusNoWildcard},
		{"policy=wildcard on a plain name", boulderCheck + " checks policy for wildcard names only", []string{ours + "; policy=wildcard"}, plain, StatusOK},

		// persistUntil.
		{"persistUntil in the future", pebbleDecide + "; " + boulderCheck, []string{ours + "; persistUntil=" + future}, plain, StatusOK},
		{"persistUntil passed", pebbleDecide + " validation time is after persistUntil; " + boulderCheck, []string{ours + "; persistUntil=" + past}, plain, StatusExpired},
		{"persistUntil exactly now", pebbleDecide + " ValidatedAt.After is strict", []string{ours + "; persistUntil=" + atNow}, plain, StatusOK},
		{"persistUntil with a plus sign", pebbleParse + " and " + boulderParse + " strconv.ParseInt", []string{ours + "; persistUntil=+" + future}, plain, StatusOK},
		{"persistUntil=-1 is long past", pebbleParse + " strconv.ParseInt; time.Unix(-1, 0)", []string{ours + "; persistUntil=-1"}, plain, StatusExpired},
		{"persistUntil with leading zeros", pebbleParse + " strconv.ParseInt", []string{ours + "; persistUntil=000" + future}, plain, StatusOK},
		{"persistUntil fractional", pebbleParse + " malformed persistUntil timestamp", []string{ours + "; persistUntil=1.5"}, plain, StatusMalformed},
		{"persistUntil empty", pebbleParse + "; " + boulderParse, []string{ours + "; persistUntil="}, plain, StatusMalformed},
		{"persistUntil beyond int64", pebbleParse + " strconv.ParseInt range error", []string{ours + "; persistUntil=9223372036854775808"}, plain, StatusMalformed},
		{"persistUntil of MaxInt64 wraps into the past", pebbleParse + " time.Unix overflows", []string{ours + "; persistUntil=9223372036854775807"}, plain, StatusExpired},
		{"persistUntil at the zero time.Time", pebbleDecide + " keeps a pointer: expired; " + boulderCheck + " IsZero: none", []string{ours + "; persistUntil=-62135596800"}, plain, StatusCADependent},

		// Several records at the name.
		{"valid record among other CAs' ones", pebbleDecide + " loops until one authorizes", []string{"other.example; accounturi=x", ours}, plain, StatusOK},
		{"valid record after a malformed one of ours", pebbleDecide + " keeps looking after a syntax error", []string{ours + ";", ours}, plain, StatusOK},
		{"canonical record beside a CA-dependent one", boulderDecide + " returns the first that authorizes", []string{"CA.example; accounturi=" + acct1, ours}, plain, StatusOK},
		{"expired beats wrong account", "closest problem first", []string{"ca.example; accounturi=" + acct2, ours + "; persistUntil=" + past}, plain, StatusExpired},
	}

	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.txts, tt.want)
			if got.Status != tt.st {
				t.Errorf("%q\nrule: %s\nstatus %q (%s), want %q", tt.txts, tt.rule, got.Status, got.Reason, tt.st)
			}

			if got.Status != StatusOK && got.Reason == "" {
				t.Errorf("status %q without a reason", got.Status)
			}
		})
	}
}

func TestCAFormIsMiekgsPresentationForm(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"ca.example; accounturi=x", "ca.example; accounturi=x"},
		{"a\tb", `a\009b`},
		{"é", `\195\169`},
		{`a"b\c`, `a\"b\\c`},
		{"\x00\x7f~ ", `\000\127~ `},
	}

	for _, tt := range tests {
		if got := CAForm(tt.raw); got != tt.want {
			t.Errorf("CAForm(%q) = %q, want %q", tt.raw, got, tt.want)
		}

		if back := Unescape(CAForm(tt.raw)); back != tt.raw {
			t.Errorf("Unescape(CAForm(%q)) = %q", tt.raw, back)
		}
	}
}

// The CAs see a character-string as miekg/dns unpacks it from the wire:
// CAForm must be exactly that.
func TestCAFormMatchesMiekgUnpacking(t *testing.T) {
	for _, raw := range []string{"plain", "tab\there", "é ü", `q"b\s`, "\x01\x1f\x7f\xff", "ca.example;\taccounturi=x"} {
		// Build the wire form by hand: one TXT RR with one string.
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeTXT, Class: dns.ClassINET}}
		msg := new(dns.Msg)
		msg.Answer = []dns.RR{rr}

		wire, err := msg.Pack()
		if err != nil {
			t.Fatal(err)
		}

		// Append the character-string: length octet + raw octets, and fix
		// the RDLENGTH (last two octets of the RR header before RDATA).
		wire[len(wire)-2], wire[len(wire)-1] = 0, byte(len(raw)+1)
		wire = append(wire, byte(len(raw)))
		wire = append(wire, raw...)

		var got dns.Msg
		if err := got.Unpack(wire); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}

		txt := got.Answer[0].(*dns.TXT).Txt
		if len(txt) != 1 || txt[0] != CAForm(raw) {
			t.Errorf("miekg/dns unpacks %q as %q, CAForm gives %q", raw, txt, CAForm(raw))
		}
	}
}

func TestNamesFindsOurValuesHoweverWritten(t *testing.T) {
	issuers, uris := []string{"ca.example"}, []string{acct1}

	for raw, want := range map[string]bool{
		"ca.example; accounturi=" + acct1:                       true,
		"CA.Example.; accounturi=" + acct1 + "; persistUntil=1": true,
		"ca.example; accounturi=" + acct1 + "; x=1; x=2":        true,
		"ca.example; accounturi=" + acct2:                       false,
		"other.example; accounturi=" + acct1:                    false,
		"ca.example; accounturi=" + acct1 + ";":                 false,
	} {
		if got := Names(raw, issuers, uris); got != want {
			t.Errorf("Names(%q) = %v, want %v", raw, got, want)
		}
	}
}
