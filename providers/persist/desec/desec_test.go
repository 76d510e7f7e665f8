package desec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

// These tests run the real libdns/desec code against a fake deSEC API. The
// library always calls https://desec.io through http.DefaultClient, so the
// tests redirect http.DefaultTransport to the local server (and therefore
// never run in parallel).

const (
	token   = "desec-token-SECRET-42"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
	rrsets  = "/api/v1/domains/example.com/rrsets/"
	ours    = rrsets + "_validation-persist.www/TXT"
)

type rrSet struct {
	Subname string   `json:"subname"`
	Type    string   `json:"type"`
	Records []string `json:"records"`
	TTL     int      `json:"ttl,omitempty"`
}

// fakeAPI keeps one zone's RRsets keyed by "subname/type".
type fakeAPI struct {
	mu     sync.Mutex
	sets   map[string]rrSet
	status int
	body   string
	header http.Header
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.status != 0 {
		for k, v := range f.header {
			w.Header()[k] = v
		}

		w.WriteHeader(f.status)
		_, _ = fmt.Fprint(w, f.body)

		return
	}

	if r.Header.Get("Authorization") != "Token "+token {
		w.WriteHeader(http.StatusUnauthorized)

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	switch {
	case r.Method == http.MethodGet && r.URL.Path == rrsets: // the whole zone, for the read-back
		all := []rrSet{}
		for _, set := range f.sets {
			all = append(all, set)
		}

		_ = json.NewEncoder(w).Encode(all)

	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, rrsets) && r.URL.Path != rrsets:
		set, ok := f.sets[strings.TrimPrefix(r.URL.Path, rrsets)]
		if !ok {
			w.WriteHeader(http.StatusNotFound)

			return
		}

		_ = json.NewEncoder(w).Encode(set)

	case r.Method == http.MethodPut && r.URL.Path == rrsets:
		var in []rrSet
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)

			return
		}

		for _, s := range in {
			if len(s.Records) == 0 {
				delete(f.sets, s.Subname+"/"+s.Type)
			} else {
				f.sets[s.Subname+"/"+s.Type] = s
			}
		}

		_ = json.NewEncoder(w).Encode(in)

	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func setup(t *testing.T, api *fakeAPI) (*adaptertest.Recorder, interface {
	Publish(context.Context, string, string) error
	Unpublish(context.Context, string, string) error
}) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, api)
	adaptertest.RedirectDefaultTransport(t, srv)

	cfg := NewDefaultConfig()
	cfg.Token = token
	cfg.Zone = "example.com"
	cfg.HTTPTimeout = 2 * time.Second
	cfg.Settle = time.Millisecond

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return rec, pub
}

func putBody(t *testing.T, r adaptertest.Request) []rrSet {
	t.Helper()

	var sets []rrSet
	if err := json.Unmarshal([]byte(r.Body), &sets); err != nil {
		t.Fatalf("PUT body %q: %v", r.Body, err)
	}

	return sets
}

func TestPublishAddsTheValueToTheExistingRRset(t *testing.T) {
	api := &fakeAPI{sets: map[string]rrSet{
		"_validation-persist.www/TXT": {Subname: "_validation-persist.www", Type: "TXT", Records: []string{`"` + otherCA + `"`}, TTL: 7200},
	}}
	rec, pub := setup(t, api)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	// The zone read before the write, the library's read and write, then
	// the read back and its confirming read.
	reqs := rec.Requests()
	wantReqs := []string{"GET " + rrsets, "GET " + ours, "PUT " + rrsets, "GET " + rrsets, "GET " + rrsets}

	if got := fmt.Sprint(reqs); got != fmt.Sprint(wantReqs) {
		t.Fatalf("requests = %v, want %v", got, wantReqs)
	}

	for _, r := range reqs {
		if r.Header.Get("Authorization") != "Token "+token {
			t.Errorf("%s: Authorization = %q", r, r.Header.Get("Authorization"))
		}
	}

	got := putBody(t, reqs[2])
	want := []rrSet{{Subname: "_validation-persist.www", Type: "TXT", Records: []string{`"` + otherCA + `"`, `"` + value + `"`}, TTL: 7200}}

	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT body = %+v, want %+v (the other CA's value kept, TTL unchanged)", got, want)
	}
}

func TestPublishCreatesTheRRsetWhenAbsent(t *testing.T) {
	api := &fakeAPI{sets: map[string]rrSet{}}
	rec, pub := setup(t, api)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 {
		t.Fatalf("writes = %v", w)
	}

	want := []rrSet{{Subname: "_validation-persist.www", Type: "TXT", Records: []string{`"` + value + `"`}, TTL: 3600}}
	if got := putBody(t, w[0]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT body = %+v, want %+v", got, want)
	}
}

func TestUnpublishWritesTheRRsetWithOnlyThatValueRemoved(t *testing.T) {
	api := &fakeAPI{sets: map[string]rrSet{
		"_validation-persist.www/TXT": {Subname: "_validation-persist.www", Type: "TXT",
			Records: []string{`"` + otherCA + `"`, `"` + value + `"`, `"` + value + `; policy=wildcard"`}, TTL: 3600},
	}}
	rec, pub := setup(t, api)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 {
		t.Fatalf("writes = %v", w)
	}

	want := []rrSet{{Subname: "_validation-persist.www", Type: "TXT", Records: []string{`"` + otherCA + `"`, `"` + value + `; policy=wildcard"`}, TTL: 3600}}
	if got := putBody(t, w[0]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT body = %+v, want %+v", got, want)
	}
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutToken(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		header http.Header
		want   []string
	}{
		{name: "unauthorized", status: http.StatusUnauthorized, body: `{"detail": "Invalid token ` + token + `."}`, want: []string{"401"}},
		{name: "server error", status: http.StatusInternalServerError, body: "<html>\noops\n</html>", want: []string{"500"}},
		// The library waits Retry-After and tries again until the call's
		// deadline: the user sees a timeout while cooling down.
		{name: "rate limited", status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"1"}}, want: []string{"timed out", "cooldown"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{status: tt.status, body: tt.body, header: tt.header}
			srv, _ := adaptertest.NewServer(t, api)
			adaptertest.RedirectDefaultTransport(t, srv)

			cfg := &Config{Token: token}
			cfg.Zone = "example.com"
			cfg.HTTPTimeout = 300 * time.Millisecond

			pub, err := NewDNSProviderConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}

			err = pub.Publish(context.Background(), fqdn, value)
			adaptertest.AssertOneLine(t, err, append([]string{"desec", fqdn}, tt.want...)...)
			adaptertest.AssertNoSecret(t, err, token)
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	t.Setenv("DESEC_ZONE", "example.com")
	t.Setenv(EnvToken, "")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvToken) {
		t.Errorf("err = %v, want one naming %s", err, EnvToken)
	}

	api := &fakeAPI{sets: map[string]rrSet{}}
	srv, rec := adaptertest.NewServer(t, api)
	adaptertest.RedirectDefaultTransport(t, srv)

	t.Setenv(EnvToken, token)
	t.Setenv("DESEC_TTL", "86400")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 1 || !strings.Contains(w[0].Body, `"ttl":86400`) {
		t.Errorf("writes = %v, want one with ttl 86400", w)
	}
}
