package pdns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	apiKey  = "pdns-key-SECRET-9"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
	zoneURL = "/api/v1/servers/localhost/zones/example.com."
)

type pdnsRecord struct {
	Content  string `json:"content"`
	Disabled bool   `json:"disabled"`
}

type rrset struct {
	Name       string       `json:"name"`
	Type       string       `json:"type"`
	TTL        int          `json:"ttl"`
	ChangeType string       `json:"changetype,omitempty"`
	Records    []pdnsRecord `json:"records"`
}

// fakeAPI implements PowerDNS's zone list, zone get and zone PATCH for one
// zone, example.com.
type fakeAPI struct {
	mu     sync.Mutex
	rrsets []rrset
	status int
	body   string
	hang   bool
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.hang {
		<-r.Context().Done()

		return
	}

	if f.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = fmt.Fprint(w, f.body)

		return
	}

	if r.Header.Get("X-API-Key") != apiKey {
		w.WriteHeader(http.StatusUnauthorized)

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/servers/localhost/zones":
		_ = json.NewEncoder(w).Encode([]map[string]string{{"id": "example.com.", "name": "example.com.", "kind": "Native"}})

	case r.Method == http.MethodGet && r.URL.Path == zoneURL:
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "example.com.", "name": "example.com.", "rrsets": f.rrsets})

	case r.Method == http.MethodPatch && r.URL.Path == zoneURL:
		var in struct{ RRSets []rrset }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusUnprocessableEntity)

			return
		}

		for _, s := range in.RRSets {
			kept := f.rrsets[:0]
			for _, have := range f.rrsets {
				if have.Name != s.Name || have.Type != s.Type {
					kept = append(kept, have)
				}
			}

			f.rrsets = kept
			if s.ChangeType == "REPLACE" {
				s.ChangeType = ""
				f.rrsets = append(f.rrsets, s)
			}
		}

		w.WriteHeader(http.StatusNoContent)

	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func setup(t *testing.T, api *fakeAPI, timeout time.Duration) (*adaptertest.Recorder, interface {
	Publish(context.Context, string, string) error
	Unpublish(context.Context, string, string) error
}) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, api)

	host, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	cfg := NewDefaultConfig()
	cfg.Host, cfg.APIKey, cfg.Zone, cfg.TTL, cfg.HTTPTimeout = host, apiKey, "example.com", 120, timeout
	cfg.Settle = time.Millisecond // the confirming read-back, without the wait

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return rec, pub
}

// patch decodes the one PATCH among reqs, its records sorted.
func patch(t *testing.T, rec *adaptertest.Recorder) []rrset {
	t.Helper()

	w := rec.Writes()
	if len(w) != 1 || w[0].String() != "PATCH "+zoneURL || w[0].Header.Get("X-API-Key") != apiKey {
		t.Fatalf("writes = %v, want one authenticated PATCH %s", w, zoneURL)
	}

	var in struct{ RRSets []rrset }
	if err := json.Unmarshal([]byte(w[0].Body), &in); err != nil {
		t.Fatal(err)
	}

	for _, s := range in.RRSets {
		sort.Slice(s.Records, func(i, j int) bool { return s.Records[i].Content < s.Records[j].Content })
	}

	return in.RRSets
}

func existing() []rrset {
	return []rrset{
		{Name: "_validation-persist.www.example.com.", Type: "TXT", TTL: 3600, Records: []pdnsRecord{{Content: `"` + otherCA + `"`}}},
		{Name: "_validation-persist.other.example.com.", Type: "TXT", TTL: 3600, Records: []pdnsRecord{{Content: `"` + value + `"`}}},
	}
}

func TestPublishReplacesTheRRsetWithItsValuesPlusTheNewOne(t *testing.T) {
	api := &fakeAPI{rrsets: existing()}
	rec, pub := setup(t, api, 5*time.Second)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	got := patch(t, rec)
	want := []rrset{{Name: "_validation-persist.www.example.com.", Type: "TXT", TTL: 120, ChangeType: "REPLACE",
		Records: []pdnsRecord{{Content: `"` + value + `"`}, {Content: `"` + otherCA + `"`}}}}

	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PATCH rrsets = %+v\nwant %+v (the other CA's value kept)", got, want)
	}
}

func TestUnpublishReplacesTheRRsetWithOnlyThatValueRemoved(t *testing.T) {
	api := &fakeAPI{rrsets: []rrset{{Name: "_validation-persist.www.example.com.", Type: "TXT", TTL: 120, Records: []pdnsRecord{
		{Content: `"` + otherCA + `"`}, {Content: `"` + value + `"`}, {Content: `"` + value + `; policy=wildcard"`},
	}}}}
	rec, pub := setup(t, api, 5*time.Second)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	got := patch(t, rec)
	want := []rrset{{Name: "_validation-persist.www.example.com.", Type: "TXT", TTL: 120, ChangeType: "REPLACE",
		Records: []pdnsRecord{{Content: `"` + value + `; policy=wildcard"`}, {Content: `"` + otherCA + `"`}}}} // sorted

	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PATCH rrsets = %+v\nwant %+v", got, want)
	}
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutKey(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		hang   bool
		want   string
	}{
		{name: "unauthorized", status: http.StatusUnauthorized, body: `{"error":"bad key ` + apiKey + `"}`, want: "401"},
		{name: "rate limited", status: http.StatusTooManyRequests, body: `{"error":"slow down"}`, want: "429"},
		{name: "server error", status: http.StatusInternalServerError, body: `{"error":"backend\nfailed"}`, want: "500"},
		{name: "timeout", hang: true, want: "timed out"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, pub := setup(t, &fakeAPI{status: tt.status, body: tt.body, hang: tt.hang}, 300*time.Millisecond)

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "pdns", fqdn, tt.want)
				adaptertest.AssertNoSecret(t, err, apiKey)
			}
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	api := &fakeAPI{}
	srv, rec := adaptertest.NewServer(t, api)

	t.Setenv("PDNS_ZONE", "example.com")
	t.Setenv(EnvAPIURL, srv.URL)
	t.Setenv(EnvAPIKey, "")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvAPIKey) {
		t.Errorf("without a key: err = %v, want one naming %s", err, EnvAPIKey)
	}

	t.Setenv(EnvAPIKey, apiKey)
	t.Setenv("PDNS_TTL", "300")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 1 || !strings.Contains(w[0].Body, `"ttl":300`) {
		t.Errorf("writes = %v, want one PATCH with ttl 300", w)
	}
}

func TestNewDNSProviderConfigRefusesABadURLWithoutQuotingIt(t *testing.T) {
	u, _ := url.Parse("ftp://user:pw-SECRET@pdns.example/")

	cfg := NewDefaultConfig()
	cfg.Host, cfg.APIKey, cfg.Zone = u, apiKey, "example.com"

	_, err := NewDNSProviderConfig(cfg)
	if err == nil || strings.Contains(err.Error(), "pw-SECRET") {
		t.Errorf("err = %v, want a refusal without the password", err)
	}
}
