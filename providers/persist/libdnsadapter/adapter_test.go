package libdnsadapter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

const (
	testFQDN  = "_validation-persist.www.example.com."
	testValue = "ca.example; accounturi=https://ca.example/acct/1"
	secret    = "s3cr3t-t0ken"
)

// fakeProvider is an in-memory libdns provider that logs every call.
type fakeProvider struct {
	mu      sync.Mutex
	calls   []string
	records map[string][]libdns.Record // by zone
	err     error
	panic   bool
	block   bool
}

func (f *fakeProvider) log(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeProvider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		f.log("append zone=%s name=%s type=%s ttl=%s data=%q", zone, rr.Name, rr.Type, rr.TTL, rr.Data)
	}

	return f.result(ctx, recs)
}

func (f *fakeProvider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()
		f.log("delete zone=%s name=%s type=%s ttl=%s data=%q (%T)", zone, rr.Name, rr.Type, rr.TTL, rr.Data, r)
	}

	return f.result(ctx, recs)
}

func (f *fakeProvider) SetRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	f.log("SET")

	return nil, errors.New("SetRecords must never be called")
}

func (f *fakeProvider) result(ctx context.Context, recs []libdns.Record) ([]libdns.Record, error) {
	if f.panic {
		panic("boom " + secret)
	}

	if f.block {
		<-ctx.Done()

		return nil, ctx.Err()
	}

	return recs, f.err
}

func (f *fakeProvider) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()

	return append([]string(nil), f.calls...)
}

// getterProvider adds GetRecords, for DeleteByLookup.
type getterProvider struct{ *fakeProvider }

// idRecord is a provider's own record type carrying an ID.
type idRecord struct {
	Record libdns.RR
	ID     string
}

func (r idRecord) RR() libdns.RR { return r.Record }

func (g getterProvider) GetRecords(_ context.Context, zone string) ([]libdns.Record, error) {
	g.log("get zone=%s", zone)

	return g.records[zone], nil
}

func TestPublishAppendsOneRelativeTXTRecord(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		fqdn string
		want string
	}{
		{
			name: "configured zone",
			cfg:  Config{Zone: "example.com", TTL: time.Hour},
			fqdn: testFQDN,
			want: `append zone=example.com. name=_validation-persist.www type=TXT ttl=1h0m0s data="` + testValue + `"`,
		},
		{
			name: "zone in other case with trailing dot, name in capitals",
			cfg:  Config{Zone: "Example.COM."},
			fqdn: "_validation-persist.WWW.example.com.",
			want: `append zone=example.com. name=_validation-persist.www type=TXT ttl=0s data="` + testValue + `"`,
		},
		{
			name: "zone found by FindZone",
			cfg: Config{FindZone: func(_ context.Context, fqdn string) (string, error) {
				if fqdn != testFQDN {
					return "", fmt.Errorf("unexpected name %s", fqdn)
				}

				return "www.example.com.", nil
			}},
			fqdn: testFQDN,
			want: `append zone=www.example.com. name=_validation-persist type=TXT ttl=0s data="` + testValue + `"`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := &fakeProvider{}

			tt.cfg.Name = "fake"

			pub, err := New(tt.cfg, fp)
			if err != nil {
				t.Fatal(err)
			}

			if err := pub.Publish(context.Background(), tt.fqdn, testValue); err != nil {
				t.Fatal(err)
			}

			if got := fp.Calls(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("calls = %q, want [%q]", got, tt.want)
			}
		})
	}
}

func TestUnpublishDeletesExactlyTheValueWithAnyTTL(t *testing.T) {
	fp := &fakeProvider{}

	pub, err := New(Config{Name: "fake", Zone: "example.com", TTL: time.Hour}, fp)
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Unpublish(context.Background(), testFQDN, testValue); err != nil {
		t.Fatal(err)
	}

	want := `delete zone=example.com. name=_validation-persist.www type=TXT ttl=0s data="` + testValue + `" (libdns.TXT)`
	if got := fp.Calls(); len(got) != 1 || got[0] != want {
		t.Errorf("calls = %q, want [%q]", got, want)
	}
}

func TestUnpublishByLookupDeletesOnlyTheProvidersMatchingRecord(t *testing.T) {
	fp := &fakeProvider{records: map[string][]libdns.Record{"example.com.": {
		idRecord{Record: libdns.RR{Name: "_validation-persist.www", Type: "TXT", Data: "other.ca; accounturi=https://other/1"}, ID: "1"},
		idRecord{Record: libdns.RR{Name: "_validation-persist.www", Type: "TXT", Data: testValue}, ID: "2"},
		idRecord{Record: libdns.RR{Name: "_validation-persist.other", Type: "TXT", Data: testValue}, ID: "3"},
		idRecord{Record: libdns.RR{Name: "_validation-persist.www", Type: "CAA", Data: testValue}, ID: "4"},
	}}}

	pub, err := New(Config{Name: "fake", Zone: "example.com", DeleteByLookup: true}, getterProvider{fp})
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Unpublish(context.Background(), testFQDN, testValue); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"get zone=example.com.",
		`delete zone=example.com. name=_validation-persist.www type=TXT ttl=0s data="` + testValue + `" (libdnsadapter.idRecord)`,
	}
	if got := fp.Calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A value that is not there: nothing deleted, no error.
	if err := pub.Unpublish(context.Background(), testFQDN, "absent"); err != nil {
		t.Fatal(err)
	}

	if got := fp.Calls(); len(got) != 3 || got[2] != "get zone=example.com." {
		t.Errorf("calls after unpublishing an absent value = %q", got)
	}
}

func TestDeleteByLookupNeedsARecordGetter(t *testing.T) {
	if _, err := New(Config{Name: "fake", Zone: "example.com", DeleteByLookup: true}, &fakeProvider{}); err == nil {
		t.Fatal("want an error for a provider without GetRecords")
	}
}

func TestInvalidInputNeverReachesTheProvider(t *testing.T) {
	tests := []struct {
		name, fqdn, value, want string
		unpublish               bool
	}{
		{name: "empty value on unpublish would delete every value", fqdn: testFQDN, value: "", unpublish: true, want: "empty record value"},
		{name: "empty value on publish", fqdn: testFQDN, value: "", want: "empty record value"},
		{name: "name outside the zone", fqdn: "_validation-persist.example.net.", value: testValue, want: "not inside the zone"},
		{name: "not a name", fqdn: "a..b", value: testValue, want: "not a domain name"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := &fakeProvider{}

			pub, err := New(Config{Name: "fake", Zone: "example.com"}, fp)
			if err != nil {
				t.Fatal(err)
			}

			op := pub.Publish
			if tt.unpublish {
				op = pub.Unpublish
			}

			err = op(context.Background(), tt.fqdn, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}

			if calls := fp.Calls(); len(calls) != 0 {
				t.Errorf("provider was called: %q", calls)
			}
		})
	}
}

func TestNewNeedsAWayToFindTheZone(t *testing.T) {
	_, err := New(Config{Name: "fake"}, &fakeProvider{})
	if err == nil || !strings.Contains(err.Error(), "no zone configured") {
		t.Fatalf("err = %v, want a missing-zone error", err)
	}
}

func TestFindZoneFailureNamesTheRecord(t *testing.T) {
	fp := &fakeProvider{}

	pub, err := New(Config{Name: "fake", FindZone: func(context.Context, string) (string, error) {
		return "", errors.New("SERVFAIL")
	}}, fp)
	if err != nil {
		t.Fatal(err)
	}

	err = pub.Publish(context.Background(), testFQDN, testValue)
	if err == nil || !strings.Contains(err.Error(), "fake: publish TXT "+testFQDN+": finding the zone: SERVFAIL") {
		t.Fatalf("err = %v", err)
	}

	if len(fp.Calls()) != 0 {
		t.Error("provider was called without a zone")
	}
}

func TestProviderFailuresAreOneScrubbedLine(t *testing.T) {
	tests := []struct {
		name    string
		fp      *fakeProvider
		timeout time.Duration
		want    []string
	}{
		{
			name: "library error echoing the token over several lines",
			fp:   &fakeProvider{err: errors.New("bad request\nAuthorization: Bearer " + secret)},
			want: []string{"fake: publish TXT " + testFQDN + " (zone example.com.): bad request Authorization: Bearer REDACTED"},
		},
		{
			name: "library panic",
			fp:   &fakeProvider{panic: true},
			want: []string{"the fake library panicked: boom REDACTED"},
		},
		{
			name:    "timeout",
			fp:      &fakeProvider{block: true},
			timeout: 10 * time.Millisecond,
			want:    []string{"timed out after 10ms", "context deadline exceeded"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := New(Config{Name: "fake", Zone: "example.com", Secrets: []string{secret}, Timeout: tt.timeout}, tt.fp)
			if err != nil {
				t.Fatal(err)
			}

			err = pub.Publish(context.Background(), testFQDN, testValue)
			if err == nil {
				t.Fatal("want an error")
			}

			msg := err.Error()
			if strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
				t.Errorf("error text leaks the secret or spans lines: %q", msg)
			}

			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}

			var perr *Error
			if !errors.As(err, &perr) || perr.Name != testFQDN || perr.Provider != "fake" {
				t.Errorf("error is not an *Error naming the record: %#v", err)
			}
		})
	}
}

// httpProvider is a libdns provider that sends one request per call with
// the client it is given, like the libraries that accept one.
type httpProvider struct {
	client *http.Client
	url    string
}

func (h httpProvider) do(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"/zones/1/records", nil)
	if err != nil {
		return err
	}

	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}

	defer func() { _ = resp.Body.Close() }()

	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		// Like a library that decodes JSON before looking at the status.
		return fmt.Errorf("invalid character %q looking for beginning of value", body[0])
	}

	return nil
}

func (h httpProvider) AppendRecords(ctx context.Context, _ string, r []libdns.Record) ([]libdns.Record, error) {
	return r, h.do(ctx)
}

func (h httpProvider) DeleteRecords(ctx context.Context, _ string, r []libdns.Record) ([]libdns.Record, error) {
	return r, h.do(ctx)
}

func TestTransportRewritesTheBaseURLAndErrorsNameTheHTTPStatus(t *testing.T) {
	var gotPath string

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>bad gateway</html>")
	}))
	defer srv.Close()

	client, err := httpapi.NewHTTPClient(5*time.Second, "https://api.example.invalid/v4", srv.URL+"/base")
	if err != nil {
		t.Fatal(err)
	}

	pub, err := New(Config{Name: "fake", Zone: "example.com"}, httpProvider{client: client, url: "https://api.example.invalid/v4"})
	if err != nil {
		t.Fatal(err)
	}

	err = pub.Publish(context.Background(), testFQDN, testValue)

	var perr *Error
	if !errors.As(err, &perr) || perr.StatusCode != http.StatusBadGateway || !strings.Contains(err.Error(), "HTTP 502 Bad Gateway") {
		t.Fatalf("err = %v, want one with HTTP 502", err)
	}

	if gotPath != "/base/zones/1/records" {
		t.Errorf("request path = %q, want the rewritten /base/zones/1/records", gotPath)
	}
}

func TestStringNamesProviderAndZoneOnly(t *testing.T) {
	pub, err := New(Config{Name: "fake", Zone: "example.com", Secrets: []string{secret}}, &fakeProvider{})
	if err != nil {
		t.Fatal(err)
	}

	if got := pub.String(); got != "fake (zone example.com.)" {
		t.Errorf("String() = %q", got)
	}
}
