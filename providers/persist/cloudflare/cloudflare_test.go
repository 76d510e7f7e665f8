package cloudflare

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

const (
	token     = "cf-token-SECRET-123"
	fqdn      = "_validation-persist.www.example.com."
	value     = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA   = "other.example; accounturi=https://other.example/acct/9"
	longerOne = value + "; policy=wildcard" // contains value: must not be taken for it
)

type cfRecord struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Content string `json:"content"`
	TTL     int    `json:"ttl"`
}

// fakeAPI implements the part of Cloudflare's v4 API that libdns/cloudflare
// uses: zone lookup, record list with filters, create, delete.
type fakeAPI struct {
	mu      sync.Mutex
	records map[string]cfRecord
	nextID  int

	failPath   string // requests whose path+method match get failStatus
	failMethod string
	failStatus int
	failBody   string
	hang       bool
}

func newFakeAPI(existing ...cfRecord) *fakeAPI {
	f := &fakeAPI{records: map[string]cfRecord{}}
	for _, r := range existing {
		f.records[r.ID] = r
	}

	return f
}

func reply(w http.ResponseWriter, status int, result any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)

	_ = json.NewEncoder(w).Encode(map[string]any{
		"success": status < 300, "errors": []any{}, "result": result,
		"result_info": map[string]int{"page": 1, "per_page": 100, "count": 1, "total_count": 1},
	})
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.hang {
		<-r.Context().Done()

		return
	}

	if f.failStatus != 0 && strings.HasPrefix(r.URL.Path, f.failPath) && (f.failMethod == "" || f.failMethod == r.Method) {
		w.WriteHeader(f.failStatus)
		_, _ = fmt.Fprint(w, f.failBody)

		return
	}

	if r.Header.Get("Authorization") != "Bearer "+token {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}`)

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	const records = "/client/v4/zones/zone1/dns_records"

	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/client/v4/zones":
		if r.URL.Query().Get("name") != "example.com." && r.URL.Query().Get("name") != "example.com" {
			reply(w, http.StatusOK, []any{})

			return
		}

		reply(w, http.StatusOK, []map[string]string{{"id": "zone1", "name": "example.com"}})

	case r.Method == http.MethodGet && r.URL.Path == records:
		q := r.URL.Query()
		out := []cfRecord{}

		for _, rec := range f.records {
			if (q.Get("type") == "" || q.Get("type") == rec.Type) && (q.Get("name") == "" || q.Get("name") == rec.Name) &&
				strings.Contains(rec.Content, q.Get("content.contains")) {
				out = append(out, rec)
			}
		}

		reply(w, http.StatusOK, out)

	case r.Method == http.MethodPost && r.URL.Path == records:
		var rec cfRecord
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil {
			reply(w, http.StatusBadRequest, nil)

			return
		}

		f.nextID++
		rec.ID = fmt.Sprintf("new%d", f.nextID)
		rec.Name = strings.TrimSuffix(rec.Name, ".example.com") + ".example.com" // the API answers with full names
		f.records[rec.ID] = rec
		reply(w, http.StatusOK, rec)

	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, records+"/"):
		id := strings.TrimPrefix(r.URL.Path, records+"/")

		rec, ok := f.records[id]
		if !ok {
			reply(w, http.StatusNotFound, nil)

			return
		}

		delete(f.records, id)
		reply(w, http.StatusOK, rec)

	default:
		reply(w, http.StatusNotFound, nil)
	}
}

func newPublisher(t *testing.T, api *fakeAPI) (func() *adaptertest.Recorder, interface {
	Publish(context.Context, string, string) error
	Unpublish(context.Context, string, string) error
}) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, api)

	cfg := &Config{AuthToken: token, BaseURL: srv.URL + "/client/v4"}
	cfg.Zone = "example.com"
	cfg.TTL = 120
	cfg.HTTPTimeout = 5 * time.Second

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return func() *adaptertest.Recorder { return rec }, pub
}

func existing() []cfRecord {
	return []cfRecord{
		{ID: "other", Type: "TXT", Name: "_validation-persist.www.example.com", Content: `"` + otherCA + `"`, TTL: 300},
		{ID: "longer", Type: "TXT", Name: "_validation-persist.www.example.com", Content: `"` + longerOne + `"`, TTL: 300},
	}
}

func TestPublishCreatesOneRecordAndLeavesOtherValues(t *testing.T) {
	api := newFakeAPI(existing()...)
	rec, pub := newPublisher(t, api)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	writes := rec().Writes()
	if len(writes) != 1 {
		t.Fatalf("writes = %v, want one POST", writes)
	}

	w := writes[0]
	if w.String() != "POST /client/v4/zones/zone1/dns_records" || w.Header.Get("Authorization") != "Bearer "+token {
		t.Errorf("write = %s with Authorization %q", w, w.Header.Get("Authorization"))
	}

	var body map[string]any
	if err := json.Unmarshal([]byte(w.Body), &body); err != nil {
		t.Fatal(err)
	}

	want := map[string]any{"type": "TXT", "name": "_validation-persist.www", "content": `"` + value + `"`, "ttl": float64(120)}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v (body %s)", k, body[k], v, w.Body)
		}
	}

	if _, ok := api.records["other"]; !ok || len(api.records) != 3 {
		t.Errorf("records after publish = %v, want the two old ones and the new one", api.records)
	}
}

func TestUnpublishDeletesOnlyTheExactValue(t *testing.T) {
	api := newFakeAPI(append(existing(),
		cfRecord{ID: "ours", Type: "TXT", Name: "_validation-persist.www.example.com", Content: `"` + value + `"`, TTL: 120})...)
	rec, pub := newPublisher(t, api)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	writes := rec().Writes()
	if len(writes) != 1 || writes[0].String() != "DELETE /client/v4/zones/zone1/dns_records/ours" {
		t.Fatalf("writes = %v, want only DELETE .../dns_records/ours", writes)
	}

	if len(api.records) != 2 {
		t.Errorf("records left = %v, want the other CA's and the longer value", api.records)
	}
}

func TestUnpublishFailsWhenTheRecordLookupIsRefused(t *testing.T) {
	// libdns/cloudflare drops the error of this lookup; the adapter's
	// strict status check must not let it pass as "nothing to delete".
	api := newFakeAPI(cfRecord{ID: "ours", Type: "TXT", Name: "_validation-persist.www.example.com", Content: `"` + value + `"`})
	api.failPath, api.failMethod, api.failStatus, api.failBody = "/client/v4/zones/zone1/dns_records", http.MethodGet, http.StatusForbidden, `{"success":false}`

	_, pub := newPublisher(t, api)

	err := pub.Unpublish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "cloudflare", fqdn, "HTTP 403")
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutToken(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		hang   bool
		want   string
	}{
		{name: "unauthorized", status: http.StatusUnauthorized, body: `{"success":false,"errors":[{"code":10000,"message":"bad token ` + token + `"}]}`, want: "HTTP 401"},
		{name: "rate limited", status: http.StatusTooManyRequests, body: `{"success":false,"errors":[{"code":971,"message":"slow down"}]}`, want: "HTTP 429"},
		{name: "server error with an HTML page", status: http.StatusBadGateway, body: "<html>\n<b>502</b>\n</html>", want: "HTTP 502"},
		{name: "timeout", hang: true, want: "timed out"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI()
			api.failPath, api.failStatus, api.failBody, api.hang = "/", tt.status, tt.body, tt.hang

			srv, _ := adaptertest.NewServer(t, api)

			cfg := &Config{AuthToken: token, BaseURL: srv.URL + "/client/v4"}
			cfg.Zone = "example.com"
			cfg.HTTPTimeout = 200 * time.Millisecond

			pub, err := NewDNSProviderConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "cloudflare", fqdn, tt.want)
				adaptertest.AssertNoSecret(t, err, token)
			}
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	api := newFakeAPI()
	srv, rec := adaptertest.NewServer(t, api)

	t.Setenv("CF_DNS_API_TOKEN", token) // lego's legacy alias
	t.Setenv("CLOUDFLARE_ZONE", "example.com")
	t.Setenv(EnvBaseURL, srv.URL+"/client/v4")
	t.Setenv("CLOUDFLARE_TTL", "3600")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 1 || !strings.Contains(w[0].Body, `"ttl":3600`) {
		t.Errorf("writes = %v, want one with ttl 3600", w)
	}
}

func TestNewDNSProviderRefusesMissingTokenAndGlobalKey(t *testing.T) {
	t.Setenv("CLOUDFLARE_ZONE", "example.com")
	t.Setenv(EnvDNSAPIToken, "")
	t.Setenv("CF_DNS_API_TOKEN", "")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvDNSAPIToken) {
		t.Errorf("without a token: err = %v, want one naming %s", err, EnvDNSAPIToken)
	}

	t.Setenv(EnvAPIKey, "global-key-SECRET")
	t.Setenv(EnvEmail, "a@example.com")

	_, err := NewDNSProvider()
	if err == nil || !strings.Contains(err.Error(), "global API key") || strings.Contains(err.Error(), "global-key-SECRET") {
		t.Errorf("with a global key: err = %v, want a refusal without the key", err)
	}
}

func TestDescribeListsTheRequiredToken(t *testing.T) {
	d := Describe()
	if d.Name != "cloudflare" || len(d.Env) == 0 || d.Env[0].Name != EnvDNSAPIToken || !d.Env[0].Required {
		t.Errorf("Describe() = %+v", d)
	}
}
