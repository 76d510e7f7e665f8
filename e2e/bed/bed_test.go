package bed_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/internal/testenv"
	"github.com/miekg/dns"
)

func serial(t *testing.T, b *bed.Bed) uint32 {
	t.Helper()

	s, err := b.SOASerial(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	return s
}

func txt(t *testing.T, b *bed.Bed, name string) []string {
	t.Helper()

	v, err := b.TXT(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}

	return v
}

func TestAddTXTBumpsSerialOnceAndIsServed(t *testing.T) {
	b := bed.New(t, bed.Options{})
	name := "_validation-persist.a." + b.Zone

	if got := serial(t, b); got != 1 {
		t.Fatalf("fresh zone has serial %d, want 1", got)
	}

	value := "pebble.letsencrypt.org; accounturi=https://127.0.0.1:1/my-account/1"
	if err := b.AddTXT(t.Context(), name, value); err != nil {
		t.Fatal(err)
	}

	if got := serial(t, b); got != 2 {
		t.Errorf("serial after one update is %d, want 2", got)
	}

	if got := txt(t, b, name); !slices.Equal(got, []string{value}) {
		t.Errorf("TXT %s = %q, want [%q]", name, got, value)
	}
}

func TestDeleteTXTRemovesOnlyThatValue(t *testing.T) {
	b := bed.New(t, bed.Options{})
	name := "_validation-persist.b." + b.Zone
	mine, theirs := "ca.example; accounturi=https://ca.example/acct/1", "other.example; accounturi=https://other.example/a/2"

	for _, v := range []string{mine, theirs} {
		if err := b.AddTXT(t.Context(), name, v); err != nil {
			t.Fatal(err)
		}
	}

	if err := b.DeleteTXT(t.Context(), name, mine); err != nil {
		t.Fatal(err)
	}

	if got := txt(t, b, name); !slices.Equal(got, []string{theirs}) {
		t.Errorf("after deleting one value TXT = %q, want [%q]", got, theirs)
	}

	if got := serial(t, b); got != 4 {
		t.Errorf("serial %d after three changing updates, want 4", got)
	}
}

func TestTXTValuesRoundTripExactly(t *testing.T) {
	b := bed.New(t, bed.Options{})

	long := "ca.example; accounturi=https://ca.example/acct/" + strings.Repeat("9", 560)

	tests := []struct {
		label, value string
		strings      int // character-strings in the stored record
	}{
		{"plain", "ca.example; accounturi=https://ca.example/acct/1; policy=wildcard", 1},
		{"exactly255", strings.Repeat("x", 255), 1},
		{"long", long, 3},
		{"quotes-and-backslashes", `say "hi" \ and \\ \065`, 1},
	}

	for _, tc := range tests {
		t.Run(tc.label, func(t *testing.T) {
			name := "_validation-persist." + tc.label + "." + b.Zone

			if err := b.AddTXT(t.Context(), name, tc.value); err != nil {
				t.Fatal(err)
			}

			if got := txt(t, b, name); !slices.Equal(got, []string{tc.value}) {
				t.Errorf("TXT = %q, want [%q]", got, tc.value)
			}

			// Ask named directly how the record is stored.
			m := new(dns.Msg)
			m.SetQuestion(name, dns.TypeTXT)

			r, _, err := (&dns.Client{Net: "tcp"}).ExchangeContext(t.Context(), m, b.DNSAddr)
			if err != nil {
				t.Fatal(err)
			}

			if len(r.Answer) != 1 {
				t.Fatalf("want one record, got %v", r.Answer)
			}

			if n := len(r.Answer[0].(*dns.TXT).Txt); n != tc.strings {
				t.Errorf("stored as %d character-strings, want %d", n, tc.strings)
			}
		})
	}
}

func TestTXTOfNameWithoutRecordsIsEmpty(t *testing.T) {
	b := bed.New(t, bed.Options{})

	got, err := b.TXT(t.Context(), "_validation-persist.nothing."+b.Zone)
	if err != nil {
		t.Fatal(err)
	}

	if len(got) != 0 {
		t.Errorf("TXT = %q, want none", got)
	}
}

func TestNamesOutsideTheZoneAreRefusedWithoutWriting(t *testing.T) {
	b := bed.New(t, bed.Options{})

	if err := b.AddTXT(t.Context(), "_validation-persist.example.com.", "x"); err == nil ||
		!strings.Contains(err.Error(), "outside") {
		t.Errorf("AddTXT outside the zone: got %v, want an error naming the zone", err)
	}

	if _, err := b.TXT(t.Context(), "example.com"); err == nil {
		t.Error("TXT outside the zone succeeded")
	}

	if got := serial(t, b); got != 1 {
		t.Errorf("serial changed to %d", got)
	}
}

func TestCustomZoneAndExtraRecordsAreServed(t *testing.T) {
	b := bed.New(t, bed.Options{Zone: "Example.TEST", ExtraZoneRecords: []string{"www IN A 127.0.0.2"}})

	if b.Zone != "example.test." {
		t.Errorf("Zone = %q, want %q", b.Zone, "example.test.")
	}

	m := new(dns.Msg)
	m.SetQuestion("www.example.test.", dns.TypeA)

	r, _, err := (&dns.Client{Net: "tcp"}).ExchangeContext(t.Context(), m, b.DNSAddr)
	if err != nil {
		t.Fatal(err)
	}

	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "127.0.0.2" {
		t.Errorf("www.example.test A = %v, want 127.0.0.2", r.Answer)
	}
}

func TestBrokenExtraRecordFailsStartWithNamedsReason(t *testing.T) {
	if _, err := bed.NamedPath(); err != nil {
		testenv.SkipOrFail(t, "%v", err)
	}

	_, err := bed.Start(t.Context(), bed.Options{ExtraZoneRecords: []string{"www IN A not-an-address"}})
	if err == nil || !strings.Contains(err.Error(), "could not load zone") {
		t.Fatalf("want a zone load error, got %v", err)
	}
}

func TestDirectoryAnswersOverHTTPClientWithConfiguredIssuers(t *testing.T) {
	tests := []struct {
		name    string
		issuers []string
		want    []string
	}{
		{"default", nil, []string{"pebble.letsencrypt.org"}},
		{"custom", []string{"ca.example", "ca.example.net"}, []string{"ca.example", "ca.example.net"}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := bed.New(t, bed.Options{CAAIdentities: tc.issuers})

			if !slices.Equal(b.IssuerDomains, tc.want) {
				t.Errorf("IssuerDomains = %q, want %q", b.IssuerDomains, tc.want)
			}

			if !strings.HasPrefix(b.DirectoryURL, "https://127.0.0.1:") {
				t.Errorf("DirectoryURL %q is not on 127.0.0.1", b.DirectoryURL)
			}

			var dir struct {
				NewOrder string `json:"newOrder"`
				Meta     struct {
					CAAIdentities []string `json:"caaIdentities"`
				} `json:"meta"`
			}

			getJSON(t, b.HTTPClient(), b.DirectoryURL, &dir)

			if !strings.HasPrefix(dir.NewOrder, strings.TrimSuffix(b.DirectoryURL, "/dir")) {
				t.Errorf("newOrder %q is not on the directory's host", dir.NewOrder)
			}

			if !slices.Equal(dir.Meta.CAAIdentities, tc.want) {
				t.Errorf("meta.caaIdentities = %q, want %q", dir.Meta.CAAIdentities, tc.want)
			}
		})
	}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}

	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}

	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestCountsLeaveOutTheBedsOwnTraffic(t *testing.T) {
	b := bed.New(t, bed.Options{})
	name := "_validation-persist.count." + b.Zone

	// The bed's own queries and updates are not counted.
	if err := b.AddTXT(t.Context(), name, "v1"); err != nil {
		t.Fatal(err)
	}

	_ = serial(t, b)
	_ = txt(t, b, name)

	assertCounts(t, b, 0, 0)

	// Someone else's: one query, one update signed with the bed's TSIG key,
	// one unsigned (refused) update.
	c := &dns.Client{Net: "tcp", TsigSecret: map[string]string{b.TSIGKey: b.TSIGSecret}}

	q := new(dns.Msg)
	q.SetQuestion(name, dns.TypeTXT)

	if _, _, err := c.ExchangeContext(t.Context(), q, b.DNSAddr); err != nil {
		t.Fatal(err)
	}

	for _, signed := range []bool{true, false} {
		u := new(dns.Msg)
		u.SetUpdate(b.Zone)
		u.Insert([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"v2"}}})

		if signed {
			u.SetTsig(b.TSIGKey, b.TSIGAlgorithm, 300, time.Now().Unix())
		}

		r, _, err := c.ExchangeContext(t.Context(), u, b.DNSAddr)
		if err != nil {
			t.Fatal(err)
		}

		if wantOK := signed; (r.Rcode == dns.RcodeSuccess) != wantOK {
			t.Fatalf("update (signed=%v) answered %s", signed, dns.RcodeToString[r.Rcode])
		}
	}

	assertCounts(t, b, 1, 2)
}

func assertCounts(t *testing.T, b *bed.Bed, queries, updates int) {
	t.Helper()

	q, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	u, err := b.UpdateCount()
	if err != nil {
		t.Fatal(err)
	}

	if q != queries || u != updates {
		t.Errorf("QueryCount %d, UpdateCount %d; want %d, %d", q, u, queries, updates)
	}
}

func TestEnvPointsAChildProcessAtTheBed(t *testing.T) {
	b := bed.New(t, bed.Options{})

	want := map[string]string{
		"LEGO_SERVER":              b.DirectoryURL,
		"LEGO_CA_CERTIFICATES":     b.CACertPath,
		"DNSUPDATE_NAMESERVER":     b.DNSAddr,
		"DNSUPDATE_TSIG_KEY":       b.TSIGKey,
		"DNSUPDATE_TSIG_SECRET":    b.TSIGSecret,
		"DNSUPDATE_TSIG_ALGORITHM": b.TSIGAlgorithm,
	}

	got := map[string]string{}
	for _, kv := range b.Env() {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}

	for k, v := range want {
		if got[k] != v || v == "" {
			t.Errorf("%s=%q, want %q", k, got[k], v)
		}
	}

	if _, err := os.Stat(b.CACertPath); err != nil {
		t.Errorf("CACertPath: %v", err)
	}

	if strings.Contains(b.String(), b.TSIGSecret) {
		t.Error("String() shows the TSIG secret")
	}
}

func TestTwoBedsAreIndependent(t *testing.T) {
	b1 := bed.New(t, bed.Options{})
	b2 := bed.New(t, bed.Options{})

	if b1.DNSAddr == b2.DNSAddr || b1.DirectoryURL == b2.DirectoryURL || b1.TSIGSecret == b2.TSIGSecret {
		t.Fatalf("beds share an address or key: %s / %s", b1, b2)
	}

	name := "_validation-persist.solo." + b1.Zone
	if err := b1.AddTXT(t.Context(), name, "only-in-b1"); err != nil {
		t.Fatal(err)
	}

	if got := txt(t, b2, name); len(got) != 0 {
		t.Errorf("second bed serves %q", got)
	}
}

// recorder keeps the last response body per URL path.
type recorder struct {
	base http.RoundTripper

	mu     sync.Mutex
	bodies map[string][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}

	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()

	if err != nil {
		return nil, err
	}

	resp.Body = io.NopCloser(bytes.NewReader(data))

	r.mu.Lock()
	r.bodies[req.URL.Path] = data
	r.mu.Unlock()

	return resp, nil
}

func (r *recorder) persistChallenge(t *testing.T, path string) map[string]any {
	t.Helper()

	r.mu.Lock()
	data := r.bodies[path]
	r.mu.Unlock()

	var authz struct {
		Challenges []map[string]any `json:"challenges"`
	}

	if err := json.Unmarshal(data, &authz); err != nil {
		t.Fatalf("authorization %s: %v: %s", path, err, data)
	}

	for _, ch := range authz.Challenges {
		if ch["type"] == "dns-persist-01" {
			return ch
		}
	}

	t.Fatalf("authorization %s offers no dns-persist-01: %s", path, data)

	return nil
}

func TestProxyKeepsAccountURLsAndDropsAccountURIFromChallenges(t *testing.T) {
	b := bed.New(t, bed.Options{})

	var dropping atomic.Bool

	drop := bed.DropChallengeField("accounturi")

	proxy, err := b.NewProxy(t.Context(), func(r *http.Request, body map[string]any) {
		if dropping.Load() {
			drop(r, body)
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	rec := &recorder{base: b.HTTPClient().Transport, bodies: map[string][]byte{}}
	hc := &http.Client{Transport: rec, Timeout: 30 * time.Second}

	core, acct := newAccount(t, hc, proxy.URL)

	proxyBase := strings.TrimSuffix(proxy.URL, "/dir")
	if !strings.HasPrefix(acct.Location, proxyBase+"/") {
		t.Fatalf("account URL %q is not on the proxy %s", acct.Location, proxyBase)
	}

	order, err := core.Orders.New([]string{"proxied." + strings.TrimSuffix(b.Zone, ".")})
	if err != nil {
		t.Fatal(err)
	}

	if len(order.Authorizations) != 1 {
		t.Fatalf("want one authorization, got %q", order.Authorizations)
	}

	authzURL := order.Authorizations[0]
	authzPath := strings.TrimPrefix(authzURL, proxyBase)

	// Pass-through: Pebble's challenge names the account URL as seen
	// through the proxy.
	if _, err := core.Authorizations.Get(authzURL); err != nil {
		t.Fatal(err)
	}

	ch := rec.persistChallenge(t, authzPath)
	if ch["accounturi"] != acct.Location {
		t.Errorf("accounturi %v, want the account URL %q", ch["accounturi"], acct.Location)
	}

	// Rewriting: the field is gone, the rest stays.
	dropping.Store(true)

	if _, err := core.Authorizations.Get(authzURL); err != nil {
		t.Fatal(err)
	}

	ch = rec.persistChallenge(t, authzPath)
	if _, ok := ch["accounturi"]; ok {
		t.Errorf("accounturi still present: %v", ch)
	}

	if ids, ok := ch["issuer-domain-names"].([]any); !ok || len(ids) != 1 || ids[0] != bed.DefaultIssuerDomain {
		t.Errorf("issuer-domain-names not kept: %v", ch)
	}

	if n := proxy.Count("/order-plz"); n != 1 {
		t.Errorf("proxy counted %d newOrder requests, want 1", n)
	}

	if n := proxy.Count("/authZ/"); n != 2 {
		t.Errorf("proxy counted %d authorization requests, want 2", n)
	}
}

// newAccount registers a fresh ACME account at dirURL with lego's ACME
// library and returns a client signing with its URL.
func newAccount(t *testing.T, hc *http.Client, dirURL string) (*api.Core, acme.ExtendedAccount) {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	core, err := api.New(hc, "bed-test", dirURL, "", key)
	if err != nil {
		t.Fatal(err)
	}

	acct, err := core.Accounts.New(acme.Account{TermsOfServiceAgreed: true})
	if err != nil {
		t.Fatal(err)
	}

	core, err = api.New(hc, "bed-test", dirURL, acct.Location, key)
	if err != nil {
		t.Fatal(err)
	}

	return core, acct
}

func TestPebbleValidatesARecordPublishedInNamed(t *testing.T) {
	b := bed.New(t, bed.Options{})
	core, acct := newAccount(t, b.HTTPClient(), b.DirectoryURL)
	domain := "validated." + strings.TrimSuffix(b.Zone, ".")

	order, err := core.Orders.New([]string{domain})
	if err != nil {
		t.Fatal(err)
	}

	authz, err := core.Authorizations.Get(order.Authorizations[0])
	if err != nil {
		t.Fatal(err)
	}

	var chURL string

	for _, ch := range authz.Challenges {
		if ch.Type == "dns-persist-01" {
			chURL = ch.URL
		}
	}

	if chURL == "" {
		t.Fatalf("no dns-persist-01 among %+v", authz.Challenges)
	}

	if err := b.AddTXT(t.Context(), "_validation-persist."+domain+".", bed.DefaultIssuerDomain+"; accounturi="+acct.Location); err != nil {
		t.Fatal(err)
	}

	queriesBefore, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	if _, err := core.Challenges.New(chURL); err != nil {
		t.Fatal(err)
	}

	// Pebble validates asynchronously: poll until it has decided.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	for authz.Status == acme.StatusPending && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)

		if authz, err = core.Authorizations.Get(order.Authorizations[0]); err != nil {
			t.Fatal(err)
		}
	}

	if authz.Status != acme.StatusValid {
		t.Fatalf("authorization %s, want valid: %+v", authz.Status, authz.Challenges)
	}

	queriesAfter, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	if queriesAfter <= queriesBefore {
		t.Errorf("Pebble's lookup is not in QueryCount (%d -> %d)", queriesBefore, queriesAfter)
	}
}

func TestEachChallengeFindsChallengeObjects(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"authorization", `{"status":"pending","challenges":[{"type":"http-01","url":"u1"},{"type":"dns-persist-01","url":"u2"}]}`, 2},
		{"challenge", `{"type":"dns-persist-01","url":"u","status":"pending"}`, 1},
		{"problem", `{"type":"urn:ietf:params:acme:error:malformed","detail":"x","url":"u"}`, 0},
		{"order", `{"status":"pending","authorizations":["a"],"finalize":"f"}`, 0},
		{"account", `{"status":"valid","orders":"o"}`, 0},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body map[string]any
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}

			n := 0
			bed.EachChallenge(body, func(map[string]any) { n++ })

			if n != tc.want {
				t.Errorf("visited %d challenges, want %d", n, tc.want)
			}
		})
	}
}

func TestDropChallengeFieldLeavesOtherFields(t *testing.T) {
	var body map[string]any

	raw := `{"challenges":[{"type":"dns-persist-01","url":"u","accounturi":"a","issuer-domain-names":["x"]}],"identifier":{"accounturi":"keep"}}`
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		t.Fatal(err)
	}

	bed.DropChallengeField("accounturi")(nil, body)

	ch := body["challenges"].([]any)[0].(map[string]any)
	if _, ok := ch["accounturi"]; ok || ch["issuer-domain-names"] == nil || ch["url"] != "u" {
		t.Errorf("challenge after drop: %v", ch)
	}

	if body["identifier"].(map[string]any)["accounturi"] != "keep" {
		t.Error("a field outside challenges was removed")
	}
}

// processesUsing returns the PIDs whose command line mentions dir (named
// and Pebble are started with configuration files inside Bed.Dir).
func processesUsing(t *testing.T, dir string) []int {
	t.Helper()

	entries, err := os.ReadDir("/proc")
	if err != nil {
		testenv.SkipOrFail(t, "no /proc to inspect processes: %v", err)
	}

	var pids []int

	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}

		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(dir)) && !isZombie(e.Name()) {
			pids = append(pids, pid)
		}
	}

	return pids
}

func isZombie(pid string) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return true // gone meanwhile
	}

	// The state follows the parenthesised command name.
	i := bytes.LastIndexByte(stat, ')')

	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func startForClose(t *testing.T) *bed.Bed {
	t.Helper()

	if _, err := bed.NamedPath(); err != nil {
		testenv.SkipOrFail(t, "%v", err)
	}

	b, err := bed.Start(t.Context(), bed.Options{})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = b.Close() })

	return b
}

func TestCloseLeavesNoProcessPortOrDirectory(t *testing.T) {
	b := startForClose(t)

	if _, err := b.NewProxy(t.Context(), nil); err != nil {
		t.Fatal(err)
	}

	if pids := processesUsing(t, b.Dir); len(pids) != 2 {
		t.Fatalf("want named and pebble running, found PIDs %v", pids)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	if pids := processesUsing(t, b.Dir); len(pids) != 0 {
		t.Errorf("processes left after Close: %v", pids)
	}

	for _, addr := range []string{b.DNSAddr, strings.TrimSuffix(strings.TrimPrefix(b.DirectoryURL, "https://"), "/dir")} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			t.Errorf("%s still accepts connections", addr)
		}
	}

	if _, err := os.Stat(b.Dir); !os.IsNotExist(err) {
		t.Errorf("state directory %s still there (%v)", b.Dir, err)
	}

	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseReportsAServerThatDiedOnItsOwn(t *testing.T) {
	b := startForClose(t)

	pids := processesUsing(t, b.Dir)
	victim := -1

	for _, pid := range pids {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if bytes.Contains(cmdline, []byte("named.conf")) {
			victim = pid
		}
	}

	if victim < 0 {
		t.Fatalf("named not found among %v", pids)
	}

	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	// Wait until the bed has reaped it (the /proc entry goes only then).
	for ctx.Err() == nil {
		if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(victim))); os.IsNotExist(err) {
			break
		}

		time.Sleep(10 * time.Millisecond)
	}

	err := b.Close()
	if err == nil || !strings.Contains(err.Error(), "named exited unexpectedly") {
		t.Errorf("Close = %v, want a report that named died", err)
	}

	if pids := processesUsing(t, b.Dir); len(pids) != 0 {
		t.Errorf("processes left after Close: %v", pids)
	}
}

// fakeTB records how New ends a test when named is missing.
type fakeTB struct {
	testing.TB // panics if New calls anything not overridden

	skipped, failed bool
}

type stopTest struct{}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(string, ...any) { f.skipped = true; panic(stopTest{}) }

func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic(stopTest{}) }

func TestNewWithoutNamedSkipsOutsideCIAndFailsInCI(t *testing.T) {
	tests := []struct {
		ci                string
		wantSkip, wantErr bool
	}{
		{ci: "", wantSkip: true},
		{ci: "true", wantErr: true},
	}

	for _, tc := range tests {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("BED_NAMED", filepath.Join(t.TempDir(), "no-named-here"))
			t.Setenv("CI", tc.ci)

			f := &fakeTB{}

			func() {
				defer func() {
					if r := recover(); r != nil {
						if _, ok := r.(stopTest); !ok {
							panic(r)
						}
					}
				}()

				bed.New(f, bed.Options{})
			}()

			if f.skipped != tc.wantSkip || f.failed != tc.wantErr {
				t.Errorf("skipped %v failed %v; want %v %v", f.skipped, f.failed, tc.wantSkip, tc.wantErr)
			}
		})
	}
}
