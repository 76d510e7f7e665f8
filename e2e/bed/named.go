package bed

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

const (
	// updateKeyName is the TSIG key handed to the code under test (Bed.TSIGKey).
	updateKeyName = "persist-update."
	// probeKeyName signs the bed's own queries and updates, so that
	// QueryCount and UpdateCount can leave them out.
	probeKeyName = "bed-probe."
	// recordTTL is the TTL of records written by AddTXT.
	recordTTL = 60
)

// zoneRE accepts the zone names the bed can safely write into named.conf and
// a zone file: lowercase LDH labels (underscore allowed), trailing dot.
var zoneRE = regexp.MustCompile(`^([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)+$`)

// NamedPath locates BIND's named: $BED_NAMED, then PATH, then the usual
// sbin directories (which are often not on a non-root PATH).
func NamedPath() (string, error) {
	if p := os.Getenv("BED_NAMED"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("BIND 9 named from BED_NAMED: %w", err)
		}

		return p, nil
	}

	if p, err := exec.LookPath("named"); err == nil {
		return p, nil
	}

	for _, p := range []string{"/usr/sbin/named", "/usr/local/sbin/named", "/opt/homebrew/sbin/named"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}

	return "", errors.New("BIND 9 named not found (set BED_NAMED, or install it: apt-get install bind9)")
}

// randomSecret returns a base64 HMAC-SHA256 key of 32 random octets.
func randomSecret() (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}

	return base64.StdEncoding.EncodeToString(buf), nil
}

// namedFiles are the paths of one named instance's state inside Bed.Dir.
type namedFiles struct {
	conf, zone, journal, out, queries, updates string
}

// extraZone is the zone file and journal of Options.ExtraZones[i].
func (f namedFiles) extraZone(i int) (file, journal string) {
	file = filepath.Join(filepath.Dir(f.zone), fmt.Sprintf("zone-%d.db", i+1))

	return file, file + ".jnl"
}

func newNamedFiles(dir string) namedFiles {
	return namedFiles{
		conf:    filepath.Join(dir, "named.conf"),
		zone:    filepath.Join(dir, "zone.db"),
		journal: filepath.Join(dir, "zone.db.jnl"),
		out:     filepath.Join(dir, "named.log"),
		queries: filepath.Join(dir, "queries.log"),
		updates: filepath.Join(dir, "updates.log"),
	}
}

// writeNamedConfig writes named.conf and the zone file for one instance
// listening on 127.0.0.1:port.
func (b *Bed) writeNamedConfig(port int, extra []string) error {
	f := b.namedFiles
	zone := strings.TrimSuffix(b.Zone, ".")

	conf := fmt.Sprintf(`# Written by the lego-persist test bed (e2e/bed); removed on Close.
options {
	directory %[1]q;
	pid-file %[2]q;
	session-keyfile %[3]q;
	managed-keys-directory %[1]q;
	listen-on port %[4]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	querylog yes;
};

controls { };

key %[5]q {
	algorithm hmac-sha256;
	secret %[6]q;
};

key %[7]q {
	algorithm hmac-sha256;
	secret %[8]q;
};

logging {
	channel general { stderr; print-time yes; print-category yes; severity info; };
	channel queries { file %[9]q; print-time yes; severity info; };
	channel updates { file %[10]q; print-time yes; print-category yes; severity debug 3; };
	category default { general; };
	category queries { queries; };
	category update { updates; };
	category update-security { updates; };
};

zone %[11]q {
	type primary;
	file %[12]q;
	journal %[13]q;
	allow-update { key %[5]q; key %[7]q; };
};
`,
		b.Dir, filepath.Join(b.Dir, "named.pid"), filepath.Join(b.Dir, "session.key"), port,
		updateKeyName, b.TSIGSecret, probeKeyName, b.probeSecret,
		f.queries, f.updates, zone, f.zone, f.journal)

	if len(b.ExtraZones) > 0 {
		// A CNAME from Zone into another zone is followed only by a
		// resolver: with extra zones, named also resolves (RD=1) for
		// loopback, as a CA's resolver does. It is authoritative for a
		// root zone of its own, so resolving never leaves the machine.
		conf = strings.Replace(conf, "\trecursion no;\n", "\trecursion yes;\n\tallow-recursion { 127.0.0.1; };\n", 1)

		root := filepath.Join(b.Dir, "root.db")
		conf += fmt.Sprintf("\nzone \".\" {\n\ttype primary;\n\tfile %q;\n};\n", root)

		rz := fmt.Sprintf("$TTL %d\n. IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 %d\n. IN NS ns1.%s\n",
			recordTTL, b.Zone, b.Zone, recordTTL, b.Zone)
		for _, z := range append([]string{b.Zone}, b.ExtraZones...) {
			rz += fmt.Sprintf("%s IN NS ns1.%s\n", z, b.Zone)
		}

		rz += fmt.Sprintf("ns1.%s IN A 127.0.0.1\n", b.Zone)

		if err := os.WriteFile(root, []byte(rz), 0o600); err != nil {
			return err
		}
	}

	for i, z := range b.ExtraZones {
		file, journal := f.extraZone(i)
		conf += fmt.Sprintf("\nzone %q {\n\ttype primary;\n\tfile %q;\n\tjournal %q;\n\tallow-update { key %q; key %q; };\n};\n",
			strings.TrimSuffix(z, "."), file, journal, updateKeyName, probeKeyName)

		var ez strings.Builder

		fmt.Fprintf(&ez, "$ORIGIN %s\n$TTL %d\n", z, recordTTL)
		fmt.Fprintf(&ez, "@ IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 %d\n", b.Zone, z, recordTTL)
		fmt.Fprintf(&ez, "@ IN NS ns1.%s\n", b.Zone)

		if err := os.WriteFile(file, []byte(ez.String()), 0o600); err != nil {
			return err
		}
	}

	var zf strings.Builder

	fmt.Fprintf(&zf, "$ORIGIN %s\n$TTL %d\n", b.Zone, recordTTL)
	// RFC 1035 §3.3.13: serial 1, so the first change makes it 2.
	fmt.Fprintf(&zf, "@ IN SOA ns1.%[1]s hostmaster.%[1]s 1 3600 600 86400 %[2]d\n", b.Zone, recordTTL)
	fmt.Fprintf(&zf, "@ IN NS ns1.%s\n", b.Zone)
	zf.WriteString("ns1 IN A 127.0.0.1\n@ IN A 127.0.0.1\n")

	for _, line := range extra {
		zf.WriteString(line + "\n")
	}

	if err := os.WriteFile(f.conf, []byte(conf), 0o600); err != nil {
		return err
	}

	return os.WriteFile(f.zone, []byte(zf.String()), 0o600)
}

// startNamed runs named in the foreground on 127.0.0.1:port.
func (b *Bed) startNamed(bin string, port int) (*process, error) {
	// A journal from an earlier attempt would replay onto the fresh zone.
	_ = os.Remove(b.namedFiles.journal)

	for i := range b.ExtraZones {
		_, journal := b.namedFiles.extraZone(i)
		_ = os.Remove(journal)
	}

	// -f: foreground, logging as configured; -n 1: one worker thread is
	// plenty on loopback. No -u: run as the invoking user (root in CI
	// containers; named keeps root when not told otherwise).
	return startProcess("named", b.namedFiles.out, b.Dir, os.Environ(), bin,
		"-f", "-n", "1", "-c", b.namedFiles.conf)
}

// waitNamed polls named until it answers the zone's SOA with authority.
func (b *Bed) waitNamed(ctx context.Context, p *process) error {
	for {
		if p.exited() {
			return p.exitError()
		}

		qctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := b.SOASerial(qctx)

		cancel()

		if err == nil {
			return nil
		}

		if strings.Contains(tail(b.namedFiles.out, 50), "not loaded due to errors") {
			return fmt.Errorf("named could not load zone %s (check Options.ExtraZoneRecords); last lines of %s:\n%s",
				b.Zone, b.namedFiles.out, tail(b.namedFiles.out, 20))
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("named at %s did not answer SOA %s: %w (last error: %w); last lines of %s:\n%s",
				b.DNSAddr, b.Zone, ctx.Err(), err, b.namedFiles.out, tail(b.namedFiles.out, 20))
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// exchange sends m to named over TCP, signed with the bed's probe key, and
// returns the verified answer.
func (b *Bed) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	m.SetTsig(probeKeyName, dns.HmacSHA256, 300, time.Now().Unix())

	c := &dns.Client{
		Net:        "tcp",
		Timeout:    5 * time.Second,
		TsigSecret: map[string]string{probeKeyName: b.probeSecret},
	}

	r, _, err := c.ExchangeContext(ctx, m, b.DNSAddr)
	if err != nil {
		return nil, err
	}

	return r, nil
}

// inZone returns name as a lowercase FQDN and the bed's zone holding it.
func (b *Bed) inZone(name string) (fqdn, zone string, err error) {
	fqdn = dns.CanonicalName(name)

	for _, z := range append([]string{b.Zone}, b.ExtraZones...) {
		if dns.IsSubDomain(z, fqdn) {
			return fqdn, z, nil
		}
	}

	return "", "", fmt.Errorf("%s is outside the bed's zone %s", fqdn, strings.Join(append([]string{b.Zone}, b.ExtraZones...), ", "))
}

// SOASerial asks named directly for the zone's SOA serial. BIND adds one
// per UPDATE message that changes the zone; the zone starts at 1.
func (b *Bed) SOASerial(ctx context.Context) (uint32, error) {
	return b.SOASerialOf(ctx, b.Zone)
}

// SOASerialOf is SOASerial of Zone or one of ExtraZones.
func (b *Bed) SOASerialOf(ctx context.Context, zone string) (uint32, error) {
	zone = dns.CanonicalName(zone)

	m := new(dns.Msg)
	m.SetQuestion(zone, dns.TypeSOA)
	m.RecursionDesired = false

	r, err := b.exchange(ctx, m)
	if err != nil {
		return 0, fmt.Errorf("SOA %s at %s: %w", zone, b.DNSAddr, err)
	}

	if r.Rcode != dns.RcodeSuccess {
		return 0, fmt.Errorf("SOA %s at %s: %s", zone, b.DNSAddr, dns.RcodeToString[r.Rcode])
	}

	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.Serial, nil
		}
	}

	return 0, fmt.Errorf("SOA %s at %s: no SOA in the answer", zone, b.DNSAddr)
}

// TXT asks named directly for the TXT records at name (inside the zone) and
// returns each record's character-strings concatenated (RFC 1035 §3.3.14),
// sorted. A name without TXT records gives an empty slice, not an error.
func (b *Bed) TXT(ctx context.Context, name string) ([]string, error) {
	fqdn, _, err := b.inZone(name)
	if err != nil {
		return nil, err
	}

	m := new(dns.Msg)
	m.SetQuestion(fqdn, dns.TypeTXT)
	m.RecursionDesired = false

	r, err := b.exchange(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("TXT %s at %s: %w", fqdn, b.DNSAddr, err)
	}

	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("TXT %s at %s: %s", fqdn, b.DNSAddr, dns.RcodeToString[r.Rcode])
	}

	values := []string{}

	for _, rr := range r.Answer {
		if t, ok := rr.(*dns.TXT); ok && strings.EqualFold(t.Hdr.Name, fqdn) {
			var v strings.Builder
			for _, s := range t.Txt {
				v.WriteString(unescapeTXT(s))
			}

			values = append(values, v.String())
		}
	}

	slices.Sort(values)

	return values, nil
}

// AddTXT adds value to the TXT set at name with a TSIG-signed RFC 2136
// UPDATE (§2.5.1, "Add To An RRset"), TTL 60. Values longer than 255
// octets are split into several character-strings of one record. Other
// values at name stay. The bed signs with its own key, so the update does
// not count in UpdateCount.
func (b *Bed) AddTXT(ctx context.Context, name, value string) error {
	return b.update(ctx, "add", name, value)
}

// DeleteTXT removes exactly the record carrying value from the TXT set at
// name (RFC 2136 §2.5.4, "Delete An RR From An RRset"); other values stay.
// Deleting a value that is not there succeeds and changes nothing.
func (b *Bed) DeleteTXT(ctx context.Context, name, value string) error {
	return b.update(ctx, "delete", name, value)
}

func (b *Bed) update(ctx context.Context, op, name, value string) error {
	fqdn, zone, err := b.inZone(name)
	if err != nil {
		return err
	}

	rr := &dns.TXT{
		Hdr: dns.RR_Header{Name: fqdn, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: recordTTL},
		Txt: splitTXT(value),
	}

	m := new(dns.Msg)
	m.SetUpdate(zone)

	if op == "add" {
		m.Insert([]dns.RR{rr})
	} else {
		m.Remove([]dns.RR{rr})
	}

	r, err := b.exchange(ctx, m)
	if err != nil {
		return fmt.Errorf("UPDATE %s TXT %s at %s: %w", op, fqdn, b.DNSAddr, err)
	}

	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("UPDATE %s TXT %s at %s: %s", op, fqdn, b.DNSAddr, dns.RcodeToString[r.Rcode])
	}

	return nil
}

// splitTXT cuts value into character-strings of at most 255 octets
// (RFC 1035 §3.3) in miekg/dns's escaped form.
func splitTXT(value string) []string {
	if value == "" {
		return []string{""}
	}

	var parts []string

	for len(value) > 0 {
		n := min(len(value), 255)
		parts = append(parts, escapeTXT(value[:n]))
		value = value[n:]
	}

	return parts
}

// escapeTXT turns raw octets into miekg/dns's TXT presentation, which treats
// a backslash as an escape when packing.
func escapeTXT(s string) string {
	return strings.ReplaceAll(s, `\`, `\\`)
}

// unescapeTXT undoes miekg/dns's presentation escapes (\X and \DDD) to get
// the raw octets back.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}

	out := make([]byte, 0, len(s))

	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			out = append(out, s[i])
			continue
		}

		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			out = append(out, (s[i+1]-'0')*100+(s[i+2]-'0')*10+(s[i+3]-'0'))
			i += 3

			continue
		}

		out = append(out, s[i+1])
		i++
	}

	return string(out)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// QueryCount returns how many DNS queries named has logged so far, leaving
// out the bed's own (SOASerial, TXT, readiness polls). Pebble's validation
// lookups and the code under test's lookups both count.
func (b *Bed) QueryCount() (int, error) {
	lines, err := completeLines(b.namedFiles.queries)
	if err != nil {
		return 0, fmt.Errorf("read named's query log: %w", err)
	}

	n := 0

	for _, l := range lines {
		if strings.Contains(l, ": query: ") && !fromProbe(l) {
			n++
		}
	}

	return n, nil
}

// UpdateCount returns how many UPDATE messages for the zone named has
// logged so far (accepted or refused by its access check), leaving out the
// bed's own AddTXT and DeleteTXT. An update that changes nothing (adding a
// record already there) still counts.
func (b *Bed) UpdateCount() (int, error) {
	lines, err := completeLines(b.namedFiles.updates)
	if err != nil {
		return 0, fmt.Errorf("read named's update log: %w", err)
	}

	marker := "update '" + strings.TrimSuffix(b.Zone, ".") + "/IN' "
	n := 0

	for _, l := range lines {
		if strings.Contains(l, marker) && (strings.HasSuffix(l, " approved") || strings.HasSuffix(l, " denied")) && !fromProbe(l) {
			n++
		}
	}

	return n, nil
}

// fromProbe reports whether a named log line is about a message signed with
// the bed's probe key (named writes the client as "addr#port/key NAME").
func fromProbe(line string) bool {
	k := "/key " + strings.TrimSuffix(probeKeyName, ".")
	return strings.Contains(line, k+" ") || strings.Contains(line, k+":")
}
