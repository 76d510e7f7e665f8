package hetzner

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

// These tests run the real libdns/hetzner code against a fake DNS Console
// API. The library builds a plain http.Client per request with a fixed URL,
// so the tests redirect http.DefaultTransport to the local server (and
// therefore never run in parallel).

const (
	apiKey  = "hetzner-key-SECRET-5"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
)

type hRecord struct {
	ID     string `json:"id,omitempty"`
	ZoneID string `json:"zone_id,omitempty"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	TTL    int    `json:"ttl"`
}

type fakeAPI struct {
	mu      sync.Mutex
	records []hRecord
	nextID  int
	status  int
	body    string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.status != 0 {
		w.WriteHeader(f.status)
		_, _ = fmt.Fprint(w, f.body)

		return
	}

	if r.Header.Get("Auth-API-Token") != apiKey {
		w.WriteHeader(http.StatusUnauthorized)

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/zones" && r.URL.Query().Get("name") == "example.com":
		_ = json.NewEncoder(w).Encode(map[string]any{"zones": []map[string]string{{"id": "z1"}}})

	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/records" && r.URL.Query().Get("zone_id") == "z1":
		_ = json.NewEncoder(w).Encode(map[string]any{"records": f.records})

	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/records":
		var rec hRecord
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			w.WriteHeader(http.StatusUnprocessableEntity)

			return
		}

		f.nextID++
		rec.ID = fmt.Sprintf("new%d", f.nextID)
		f.records = append(f.records, rec)
		_ = json.NewEncoder(w).Encode(map[string]any{"record": rec})

	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/v1/records/"):
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/records/")
		for i, rec := range f.records {
			if rec.ID == id {
				f.records = append(f.records[:i], f.records[i+1:]...)

				return
			}
		}

		w.WriteHeader(http.StatusNotFound)

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

	cfg := &Config{APIKey: apiKey}
	cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 60, 2*time.Second

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return rec, pub
}

func existing() []hRecord {
	return []hRecord{
		// First at the name: the library's own DeleteRecords would take it.
		{ID: "other", ZoneID: "z1", Type: "TXT", Name: "_validation-persist.www", Value: otherCA, TTL: 300},
		{ID: "longer", ZoneID: "z1", Type: "TXT", Name: "_validation-persist.www", Value: value + "; policy=wildcard", TTL: 300},
		{ID: "elsewhere", ZoneID: "z1", Type: "TXT", Name: "_validation-persist.other", Value: value, TTL: 300},
	}
}

func TestPublishCreatesOneRecordAndLeavesOtherValues(t *testing.T) {
	api := &fakeAPI{records: existing()}
	rec, pub := setup(t, api)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 || w[0].String() != "POST /api/v1/records" || w[0].Header.Get("Auth-API-Token") != apiKey {
		t.Fatalf("writes = %v, want one authenticated POST /api/v1/records", w)
	}

	var got hRecord
	if err := json.Unmarshal([]byte(w[0].Body), &got); err != nil {
		t.Fatal(err)
	}

	want := hRecord{ZoneID: "z1", Type: "TXT", Name: "_validation-persist.www", Value: value, TTL: 60}
	if got != want {
		t.Errorf("POST body = %+v, want %+v", got, want)
	}

	if len(api.records) != 4 {
		t.Errorf("records = %v, want the old three and the new one", api.records)
	}
}

func TestUnpublishDeletesOnlyTheRecordWithThatValue(t *testing.T) {
	api := &fakeAPI{records: append(existing(), hRecord{ID: "ours", ZoneID: "z1", Type: "TXT", Name: "_validation-persist.www", Value: value, TTL: 60})}
	rec, pub := setup(t, api)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 || w[0].String() != "DELETE /api/v1/records/ours" || w[0].Header.Get("Auth-API-Token") != apiKey {
		t.Fatalf("writes = %v, want only an authenticated DELETE /api/v1/records/ours", w)
	}

	if fmt.Sprint(api.records) != fmt.Sprint(existing()) {
		t.Errorf("records left = %v, want %v", api.records, existing())
	}
}

func TestUnpublishOfAnAbsentValueDeletesNothing(t *testing.T) {
	rec, pub := setup(t, &fakeAPI{records: existing()})

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 0 {
		t.Errorf("writes = %v, want none (the library itself would have deleted the other CA's record)", w)
	}
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutKey(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			_, pub := setup(t, &fakeAPI{status: status, body: "token " + apiKey + "\nrefused"})

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "hetzner", fqdn, fmt.Sprintf("(%d)", status))
				adaptertest.AssertNoSecret(t, err, apiKey)
			}
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	t.Setenv("HETZNER_ZONE", "example.com")
	t.Setenv(EnvAPIKey, "")
	t.Setenv(EnvAPIToken, "cloud-token-SECRET")

	_, err := NewDNSProvider()
	if err == nil || !strings.Contains(err.Error(), EnvAPIToken) || strings.Contains(err.Error(), "cloud-token-SECRET") {
		t.Errorf("with only the Cloud API token: err = %v, want a refusal naming %s", err, EnvAPIToken)
	}

	t.Setenv(EnvAPIToken, "")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvAPIKey) {
		t.Errorf("without a key: err = %v, want one naming %s", err, EnvAPIKey)
	}

	api := &fakeAPI{}
	srv, rec := adaptertest.NewServer(t, api)
	adaptertest.RedirectDefaultTransport(t, srv)

	t.Setenv(EnvAPIKey, apiKey)
	t.Setenv("HETZNER_TTL", "600")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 1 || !strings.Contains(w[0].Body, `"ttl":600`) {
		t.Errorf("writes = %v, want one with ttl 600", w)
	}
}
