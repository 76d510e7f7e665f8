package digitalocean

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	token   = "do-token-SECRET-77"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"

	recordsPath = "/v2/domains/example.com/records"
)

// fakeDO implements the DigitalOcean API v2 domain records endpoints of
// example.com: list (type and name filters, page/per_page pagination),
// create and delete by ID, with bearer-token authentication.
type fakeDO struct {
	mu      sync.Mutex
	records []record
	nextID  int64

	pageSize int // the fake's own page size limit; 0: per_page only

	failStatus int // when set, requests get it with failBody (only writes if failWrites)
	failBody   string
	failWrites bool
	block      bool // when set, requests hang until the client gives up
}

func (f *fakeDO) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.block {
		<-r.Context().Done()

		return
	}

	if f.failStatus != 0 && (!f.failWrites || r.Method != http.MethodGet) {
		w.WriteHeader(f.failStatus)
		_, _ = fmt.Fprint(w, f.failBody)

		return
	}

	if r.Header.Get("Authorization") != "Bearer "+token {
		doError(w, http.StatusUnauthorized, "unauthorized", "Unable to authenticate you")

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	switch {
	case r.Method == http.MethodGet && r.URL.Path == recordsPath:
		f.list(w, r)

	case r.Method == http.MethodPost && r.URL.Path == recordsPath:
		var rec record
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil || rec.Type == "" || rec.Name == "" || rec.ID != 0 {
			doError(w, http.StatusUnprocessableEntity, "unprocessable_entity", "bad record")

			return
		}

		f.nextID++
		rec.ID = 1000 + f.nextID
		f.records = append(f.records, rec)

		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"domain_record": rec})

	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, recordsPath+"/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, recordsPath+"/"), 10, 64)

		for i, rec := range f.records {
			if rec.ID == id {
				f.records = slices.Delete(f.records, i, i+1)
				w.WriteHeader(http.StatusNoContent)

				return
			}
		}

		doError(w, http.StatusNotFound, "not_found", "The resource you were accessing could not be found.")

	default:
		doError(w, http.StatusNotFound, "not_found", "no route")
	}
}

func (f *fakeDO) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()

	var match []record

	for _, rec := range f.records {
		full := rec.Name + ".example.com"
		if rec.Name == "@" {
			full = "example.com"
		}

		if (q.Get("type") == "" || q.Get("type") == rec.Type) && (q.Get("name") == "" || q.Get("name") == full) {
			match = append(match, rec)
		}
	}

	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}

	size, _ := strconv.Atoi(q.Get("per_page"))
	if size < 1 {
		size = 20
	}

	if f.pageSize > 0 && f.pageSize < size {
		size = f.pageSize
	}

	start, end := min((page-1)*size, len(match)), min(page*size, len(match))

	pages := map[string]string{}
	if end < len(match) {
		pages["next"] = "https://api.digitalocean.com" + recordsPath + "?page=" + strconv.Itoa(page+1)
	}

	_ = json.NewEncoder(w).Encode(map[string]any{
		"domain_records": match[start:end],
		"links":          map[string]any{"pages": pages},
		"meta":           map[string]int{"total": len(match)},
	})
}

func doError(w http.ResponseWriter, status int, id, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "message": msg})
}

func (f *fakeDO) snapshot() []record {
	f.mu.Lock()
	defer f.mu.Unlock()

	return slices.Clone(f.records)
}

func txt(id int64, name, data string) record {
	return record{ID: id, Type: "TXT", Name: name, Data: data, TTL: 1800}
}

// existing are records that must survive every test: another CA's value
// at the name, a longer value, the same value at another name, and a
// record of another type with the same data.
func existing() []record {
	return []record{
		txt(1, "_validation-persist.www", otherCA),
		txt(2, "_validation-persist.other", value),
		txt(3, "_validation-persist.www", value+"; policy=wildcard"),
		{ID: 5, Type: "CNAME", Name: "_validation-persist.www", Data: value, TTL: 1800},
	}
}

func newTestPublisher(t *testing.T, f *fakeDO) (*DNSProvider, *adaptertest.Recorder) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, f)

	cfg := &Config{AuthToken: token, BaseURL: srv.URL}
	cfg.Zone = "example.com"
	cfg.TTL = 30
	cfg.HTTPTimeout = 5 * time.Second

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return pub, rec
}

// listQuery is the query of the listing of page n at the test name.
func listQuery(n int) string {
	return url.Values{
		"type": {"TXT"}, "name": {"_validation-persist.www.example.com"},
		"page": {strconv.Itoa(n)}, "per_page": {"200"},
	}.Encode()
}

func assertAuthorized(t *testing.T, reqs []adaptertest.Request) {
	t.Helper()

	for _, r := range reqs {
		if got := r.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("%s: Authorization = %q, want the bearer token", r, got)
		}
	}
}

func TestPublishSendsOneCreateRequestAndLeavesOtherRecords(t *testing.T) {
	tests := []struct {
		name     string
		fqdn     string
		wantBody string
	}{
		{
			name:     "name below the zone",
			fqdn:     fqdn,
			wantBody: `{"type":"TXT","name":"_validation-persist.www","data":"` + value + `","ttl":30}`,
		},
		{
			name:     "zone apex is @",
			fqdn:     "example.com.",
			wantBody: `{"type":"TXT","name":"@","data":"` + value + `","ttl":30}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeDO{records: existing()}
			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), tt.fqdn, value); err != nil {
				t.Fatal(err)
			}

			reqs := rec.Requests()
			if len(reqs) != 1 || reqs[0].String() != "POST "+recordsPath {
				t.Fatalf("requests = %v, want one POST %s", reqs, recordsPath)
			}

			assertAuthorized(t, reqs)

			if got := strings.TrimSpace(reqs[0].Body); got != tt.wantBody {
				t.Errorf("body = %s, want %s", got, tt.wantBody)
			}

			if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}

			if got := f.snapshot(); len(got) != len(existing())+1 || !slices.Equal(got[:len(existing())], existing()) {
				t.Errorf("records = %v, want the existing ones untouched and one more", got)
			}
		})
	}
}

func TestUnpublishDeletesOnlyTheRecordsWithExactlyThatValue(t *testing.T) {
	f := &fakeDO{records: append(existing(), txt(4, "_validation-persist.www", value), txt(6, "_validation-persist.www", value))}
	pub, rec := newTestPublisher(t, f)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, r := range rec.Requests() {
		got = append(got, r.Method+" "+r.Path+"?"+r.Query.Encode()+" "+r.Body)
	}

	want := []string{
		"GET " + recordsPath + "?" + listQuery(1) + " ",
		"DELETE " + recordsPath + "/4? ",
		"DELETE " + recordsPath + "/6? ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	assertAuthorized(t, rec.Requests())

	if left := f.snapshot(); !slices.Equal(left, existing()) {
		t.Errorf("records left = %v, want %v", left, existing())
	}
}

func TestUnpublishReadsEveryPageOfTheListing(t *testing.T) {
	records := []record{
		txt(1, "_validation-persist.www", otherCA),
		txt(2, "_validation-persist.www", otherCA+"2"),
		txt(3, "_validation-persist.www", otherCA+"3"),
		txt(4, "_validation-persist.www", otherCA+"4"),
		txt(7, "_validation-persist.www", value),
	}
	f := &fakeDO{records: slices.Clone(records), pageSize: 2}
	pub, rec := newTestPublisher(t, f)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, r := range rec.Requests() {
		got = append(got, r.String())
	}

	want := []string{
		"GET " + recordsPath + "?" + listQuery(1),
		"GET " + recordsPath + "?" + listQuery(2),
		"GET " + recordsPath + "?" + listQuery(3),
		"DELETE " + recordsPath + "/7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if left := f.snapshot(); !slices.Equal(left, records[:4]) {
		t.Errorf("records left = %v, want %v", left, records[:4])
	}
}

func TestUnpublishOfAnAbsentValueDeletesNothing(t *testing.T) {
	f := &fakeDO{records: existing()}
	pub, rec := newTestPublisher(t, f)

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 0 {
		t.Errorf("writes = %v, want none", w)
	}

	if left := f.snapshot(); !slices.Equal(left, existing()) {
		t.Errorf("records left = %v, want %v", left, existing())
	}
}

func TestErrorsAreOneLineWithProviderRecordStatusAndNoToken(t *testing.T) {
	tests := []struct {
		name  string
		fake  *fakeDO
		want  []string
		short bool // HTTP timeout shorter than the server's answer
	}{
		{
			name: "unauthorized",
			fake: &fakeDO{failStatus: http.StatusUnauthorized, failBody: `{"id":"unauthorized","message":"Unable to authenticate you with ` + token + `"}`},
			want: []string{"HTTP 401", "check the credentials", "unauthorized"},
		},
		{
			name: "rate limited",
			fake: &fakeDO{failStatus: http.StatusTooManyRequests, failBody: `{"id":"too_many_requests","message":"API Rate limit exceeded."}`},
			want: []string{"HTTP 429", "rate limited", "too_many_requests"},
		},
		{
			name: "server error page",
			fake: &fakeDO{failStatus: http.StatusBadGateway, failBody: "<html>\n502 Bad Gateway " + token + "\n</html>"},
			want: []string{"HTTP 502"},
		},
		{
			name: "internal error",
			fake: &fakeDO{failStatus: http.StatusInternalServerError, failBody: `{"id":"server_error","message":"Server was unable to give you a response."}`},
			want: []string{"HTTP 500", "server_error"},
		},
		{
			name: "rate limited on the write",
			fake: &fakeDO{failStatus: http.StatusTooManyRequests, failWrites: true, failBody: `{"id":"too_many_requests","message":"slow down"}`},
			want: []string{"HTTP 429", "rate limited", "too_many_requests"},
		},
		{
			name:  "timeout",
			fake:  &fakeDO{block: true},
			want:  []string{"timed out"},
			short: true,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The value is at the name, so unpublish reaches its delete
			// when the listing succeeds.
			tt.fake.records = []record{txt(4, "_validation-persist.www", value)}
			srv, _ := adaptertest.NewServer(t, tt.fake)

			cfg := &Config{AuthToken: token, BaseURL: srv.URL}
			cfg.Zone = "example.com"
			cfg.HTTPTimeout = 5 * time.Second

			if tt.short {
				cfg.HTTPTimeout = 50 * time.Millisecond
			}

			pub, err := NewDNSProviderConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, append([]string{"digitalocean", fqdn}, tt.want...)...)
				adaptertest.AssertNoSecret(t, err, token)
			}
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	f := &fakeDO{}
	srv, rec := adaptertest.NewServer(t, http.StripPrefix("/gateway", f))

	t.Setenv("DO_ZONE", "example.com")
	t.Setenv("DO_TTL", "600")
	t.Setenv(EnvAuthToken, token)
	t.Setenv(EnvAPIUrl, srv.URL+"/gateway/")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if got := pub.String(); got != "digitalocean (zone example.com.)" {
		t.Errorf("String() = %q", got)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 || w[0].String() != "POST /gateway"+recordsPath || !strings.Contains(w[0].Body, `"ttl":600`) {
		t.Errorf("writes = %v, want one POST under the configured base URL with ttl 600", w)
	}
}

func TestNewDNSProviderRefusesWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name  string
		token string
		url   string
		want  string
	}{
		{name: "no token", url: "", want: EnvAuthToken},
		{name: "API URL without scheme", token: token, url: "api.digitalocean.com", want: EnvAPIUrl},
		{name: "API URL with credentials", token: token, url: "https://user:pw-SECRET@do.example", want: EnvAPIUrl},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DO_ZONE", "example.com")
			t.Setenv(EnvAuthToken, tt.token)
			t.Setenv(EnvAPIUrl, tt.url)

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, "digitalocean", tt.want)
			adaptertest.AssertNoSecret(t, err, token)
			adaptertest.AssertNoSecret(t, err, "pw-SECRET")
		})
	}
}

func TestNewDefaultConfigUsesLegoDefaults(t *testing.T) {
	t.Setenv(EnvAPIUrl, "")
	t.Setenv("DO_TTL", "")

	cfg := NewDefaultConfig()
	if cfg.BaseURL != DefaultBaseURL || cfg.TTL != 30 {
		t.Errorf("NewDefaultConfig() = base %q, TTL %d; want %q, 30", cfg.BaseURL, cfg.TTL, DefaultBaseURL)
	}
}

func TestDescribeListsTheTokenAsRequired(t *testing.T) {
	d := Describe()

	var names, required []string
	for _, e := range d.Env {
		names = append(names, e.Name)

		if e.Required {
			required = append(required, e.Name)
		}
	}

	if d.Name != "digitalocean" || !slices.Equal(required, []string{EnvAuthToken}) || !slices.Contains(names, EnvAPIUrl) {
		t.Errorf("Describe() = %s with %v (required %v)", d.Name, names, required)
	}
}
