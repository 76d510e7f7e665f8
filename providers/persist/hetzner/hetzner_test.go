package hetzner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	token   = "hcloud-token-SECRET-5"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"

	rrsetPath = "/v1/zones/example.com/rrsets/_validation-persist.www/TXT"
)

// fakeSet is an RRSet of the fake: its TTL (nil: zone default) and its
// records' values as stored (presentation format).
type fakeSet struct {
	ttl    *int
	values []string
}

// fakeHetzner implements the Hetzner Cloud API's TXT RRSets of the zone
// example.com: GET of an RRSet, the add_records and remove_records actions
// and GET /actions/{id}, with bearer-token authentication. Like the API,
// add_records creates a missing RRSet (with the TTL given) and refuses a
// TTL that differs from an existing RRSet's, and remove_records deletes an
// RRSet left empty.
type fakeHetzner struct {
	mu   sync.Mutex
	sets map[string]*fakeSet // by "name/TYPE"

	actions    map[int64]int // remaining "running" reads of each action
	nextAction int64

	runningPolls int    // reads (after the POST) that report an action still running
	actionError  string // when set, actions end with this error code

	failStatus int // when set, requests get it with failBody (only POSTs if failWrites)
	failBody   string
	failWrites bool
	block      bool // when set, requests hang until the client gives up
}

func newFake() *fakeHetzner {
	return &fakeHetzner{sets: map[string]*fakeSet{}, actions: map[int64]int{}}
}

func (f *fakeHetzner) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.block {
		<-r.Context().Done()

		return
	}

	if f.failStatus != 0 && (!f.failWrites || r.Method == http.MethodPost) {
		w.WriteHeader(f.failStatus)
		_, _ = fmt.Fprint(w, f.failBody)

		return
	}

	if r.Header.Get("Authorization") != "Bearer "+token {
		hError(w, http.StatusUnauthorized, "unauthorized", "unable to authenticate")

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	if id, ok := strings.CutPrefix(r.URL.Path, "/v1/actions/"); ok && r.Method == http.MethodGet {
		n, _ := strconv.ParseInt(id, 10, 64)
		if _, ok := f.actions[n]; !ok {
			hError(w, http.StatusNotFound, "not_found", "action not found")

			return
		}

		f.actions[n]--
		f.writeAction(w, http.StatusOK, n, f.actions[n] >= 0)

		return
	}

	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/zones/example.com/rrsets/")
	if !ok {
		hError(w, http.StatusNotFound, "not_found", "zone not found")

		return
	}

	parts := strings.Split(rest, "/")
	if len(parts) < 2 || parts[1] != "TXT" {
		hError(w, http.StatusNotFound, "not_found", "no route")

		return
	}

	key := parts[0] + "/" + parts[1]
	set := f.sets[key]

	switch {
	case r.Method == http.MethodGet && len(parts) == 2:
		if set == nil {
			hError(w, http.StatusNotFound, "not_found", "rrset not found")

			return
		}

		recs := []map[string]string{}
		for _, v := range set.values {
			recs = append(recs, map[string]string{"value": v, "comment": ""})
		}

		_ = json.NewEncoder(w).Encode(map[string]any{"rrset": map[string]any{
			"id": key, "name": parts[0], "type": "TXT", "ttl": set.ttl, "labels": map[string]string{},
			"protection": map[string]bool{"change": false}, "records": recs, "zone": 42,
		}})

	case r.Method == http.MethodPost && len(parts) == 4 && parts[2] == "actions":
		var body struct {
			TTL     *int `json:"ttl"`
			Records []struct {
				Value string `json:"value"`
			} `json:"records"`
		}

		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Records) == 0 {
			hError(w, http.StatusBadRequest, "invalid_input", "bad body")

			return
		}

		for _, rec := range body.Records {
			if !strings.HasPrefix(rec.Value, `"`) || !strings.HasSuffix(rec.Value, `"`) {
				hError(w, http.StatusUnprocessableEntity, "invalid_input", "TXT values must be quoted")

				return
			}
		}

		switch parts[3] {
		case "add_records":
			if set == nil {
				set = &fakeSet{ttl: body.TTL}
				f.sets[key] = set
			} else if body.TTL != nil && (set.ttl == nil || *set.ttl != *body.TTL) {
				hError(w, http.StatusUnprocessableEntity, "invalid_input", "ttl does not match the RRSet's")

				return
			}

			for _, rec := range body.Records {
				set.values = append(set.values, rec.Value)
			}

		case "remove_records":
			if set == nil {
				hError(w, http.StatusNotFound, "not_found", "rrset not found")

				return
			}

			for _, rec := range body.Records {
				set.values = slices.DeleteFunc(set.values, func(v string) bool { return v == rec.Value })
			}

			if len(set.values) == 0 {
				delete(f.sets, key)
			}

		default:
			hError(w, http.StatusNotFound, "not_found", "no such action")

			return
		}

		f.nextAction++
		f.actions[f.nextAction] = f.runningPolls
		f.writeAction(w, http.StatusCreated, f.nextAction, f.runningPolls > 0)

	default:
		hError(w, http.StatusNotFound, "not_found", "no route")
	}
}

func (f *fakeHetzner) writeAction(w http.ResponseWriter, status int, id int64, running bool) {
	a := map[string]any{"id": id, "command": "add_rrset_records", "status": "success", "progress": 100, "error": nil}

	switch {
	case running:
		a["status"], a["progress"] = "running", 50
	case f.actionError != "":
		a["status"], a["error"] = "error", map[string]string{"code": f.actionError, "message": "action failed"}
	}

	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"action": a})
}

func hError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "details": map[string]any{}}})
}

func (f *fakeHetzner) put(name string, ttl int, values ...string) {
	f.sets[name+"/TXT"] = &fakeSet{ttl: &ttl, values: values}
}

// values returns the stored values of the RRSet at name, and whether it exists.
func (f *fakeHetzner) values(name string) ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()

	set := f.sets[name+"/TXT"]
	if set == nil {
		return nil, false
	}

	return slices.Clone(set.values), true
}

func q(s string) string { return `"` + s + `"` }

func newTestPublisher(t *testing.T, f *fakeHetzner) (*DNSProvider, *adaptertest.Recorder) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, f)

	cfg := &Config{APIToken: token, BaseURL: srv.URL + "/v1/"}
	cfg.Zone = "example.com"
	cfg.TTL = 120
	cfg.HTTPTimeout = 5 * time.Second

	pub, err := newPublisher(cfg, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}

	return pub, rec
}

// requests lists "METHOD /path body" for each request, checking that each
// carries the bearer token.
func requests(t *testing.T, rec *adaptertest.Recorder) []string {
	t.Helper()

	var out []string

	for _, r := range rec.Requests() {
		if got := r.Header.Get("Authorization"); got != "Bearer "+token {
			t.Errorf("%s: Authorization = %q, want the bearer token", r, got)
		}

		out = append(out, strings.TrimSpace(r.String()+" "+strings.TrimSpace(r.Body)))
	}

	return out
}

func TestPublishAddsOnlyTheValueWithAddRecords(t *testing.T) {
	long := value + "; x=" + strings.Repeat("a", 300)

	tests := []struct {
		name     string
		existing []string // values at _validation-persist.www (TTL 300)
		fqdn     string
		value    string
		want     []string // requests
		left     []string // values at the name afterwards
	}{
		{
			name:  "no RRSet yet: created with the configured TTL",
			fqdn:  fqdn,
			value: value,
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/add_records {"ttl":120,"records":[{"value":"\"` + value + `\""}]}`,
			},
			left: []string{q(value)},
		},
		{
			name:     "other values at the name: appended with the RRSet's own TTL",
			existing: []string{q(otherCA), q(value + "; policy=wildcard")},
			fqdn:     fqdn,
			value:    value,
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/add_records {"ttl":300,"records":[{"value":"\"` + value + `\""}]}`,
			},
			left: []string{q(otherCA), q(value + "; policy=wildcard"), q(value)},
		},
		{
			name:     "value already there (split over two strings): nothing written",
			existing: []string{q(otherCA), q(value[:10]) + " " + q(value[10:])},
			fqdn:     fqdn,
			value:    value,
			want:     []string{"GET " + rrsetPath},
			left:     []string{q(otherCA), q(value[:10]) + " " + q(value[10:])},
		},
		{
			name:  "value over 255 octets: two character-strings",
			fqdn:  fqdn,
			value: long,
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/add_records {"ttl":120,"records":[{"value":"\"` + long[:255] + `\" \"` + long[255:] + `\""}]}`,
			},
			left: []string{q(long[:255]) + " " + q(long[255:])},
		},
		{
			name:  "zone apex is @",
			fqdn:  "example.com.",
			value: value,
			want: []string{
				"GET /v1/zones/example.com/rrsets/@/TXT",
				"POST /v1/zones/example.com/rrsets/@/TXT/actions/add_records " + `{"ttl":120,"records":[{"value":"\"` + value + `\""}]}`,
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.existing != nil {
				f.put("_validation-persist.www", 300, tt.existing...)
			}

			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), tt.fqdn, tt.value); err != nil {
				t.Fatal(err)
			}

			if got := requests(t, rec); !slices.Equal(got, tt.want) {
				t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}

			if tt.left != nil {
				if got, _ := f.values("_validation-persist.www"); !slices.Equal(got, tt.left) {
					t.Errorf("values = %q, want %q", got, tt.left)
				}
			}
		})
	}
}

func TestPublishWaitsUntilTheActionFinishes(t *testing.T) {
	f := newFake()
	f.runningPolls = 2

	pub, rec := newTestPublisher(t, f)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"GET " + rrsetPath,
		"POST " + rrsetPath + `/actions/add_records {"ttl":120,"records":[{"value":"\"` + value + `\""}]}`,
		"GET /v1/actions/1",
		"GET /v1/actions/1",
		"GET /v1/actions/1", // the third read reports success
	}
	if got := requests(t, rec); !slices.Equal(got, want) {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAFailedActionIsAnError(t *testing.T) {
	f := newFake()
	f.runningPolls = 1
	f.actionError = "action_failed"

	pub, _ := newTestPublisher(t, f)

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "hetzner", fqdn, "add_records", "action 1 failed", "action_failed")
}

func TestUnpublishRemovesOnlyTheExactValue(t *testing.T) {
	tests := []struct {
		name     string
		existing []string // nil: no RRSet
		want     []string // requests
		left     []string // nil: no RRSet left
	}{
		{
			name:     "other values stay",
			existing: []string{q(otherCA), q(value), q(value + "; policy=wildcard")},
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/remove_records {"records":[{"value":"\"` + value + `\""}]}`,
			},
			left: []string{q(otherCA), q(value + "; policy=wildcard")},
		},
		{
			name:     "a value stored as two strings is removed as stored",
			existing: []string{q(otherCA), q(value[:20]) + " " + q(value[20:])},
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/remove_records {"records":[{"value":"\"` + value[:20] + `\" \"` + value[20:] + `\""}]}`,
			},
			left: []string{q(otherCA)},
		},
		{
			name:     "the only value: the RRSet goes with it",
			existing: []string{q(value)},
			want: []string{
				"GET " + rrsetPath,
				"POST " + rrsetPath + `/actions/remove_records {"records":[{"value":"\"` + value + `\""}]}`,
			},
		},
		{
			name:     "absent value: nothing written",
			existing: []string{q(otherCA)},
			want:     []string{"GET " + rrsetPath},
			left:     []string{q(otherCA)},
		},
		{
			name: "no RRSet: nothing written",
			want: []string{"GET " + rrsetPath},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.existing != nil {
				f.put("_validation-persist.www", 300, tt.existing...)
			}

			f.put("_validation-persist.other", 300, q(value))

			pub, rec := newTestPublisher(t, f)

			if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			if got := requests(t, rec); !slices.Equal(got, tt.want) {
				t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}

			got, ok := f.values("_validation-persist.www")
			if !slices.Equal(got, tt.left) || ok != (tt.left != nil) {
				t.Errorf("values left = %q (RRSet exists: %v), want %q", got, ok, tt.left)
			}

			if got, _ := f.values("_validation-persist.other"); !slices.Equal(got, []string{q(value)}) {
				t.Errorf("the value at another name changed: %q", got)
			}
		})
	}
}

func TestErrorsAreOneLineWithProviderRecordStatusAndNoToken(t *testing.T) {
	tests := []struct {
		name  string
		fake  *fakeHetzner
		want  []string
		short bool
	}{
		{
			name: "unauthorized",
			fake: &fakeHetzner{failStatus: http.StatusUnauthorized, failBody: `{"error":{"code":"unauthorized","message":"token ` + token + ` is invalid"}}`},
			want: []string{"HTTP 401", "check the credentials", "unauthorized"},
		},
		{
			name: "rate limited",
			fake: &fakeHetzner{failStatus: http.StatusTooManyRequests, failBody: `{"error":{"code":"rate_limit_exceeded","message":"limit of 3600 requests per hour reached"}}`},
			want: []string{"HTTP 429", "rate limited", "rate_limit_exceeded"},
		},
		{
			name: "server error",
			fake: &fakeHetzner{failStatus: http.StatusInternalServerError, failBody: `{"error":{"code":"server_error","message":"unknown\nerror"}}`},
			want: []string{"HTTP 500", "server_error"},
		},
		{
			name: "gateway error page",
			fake: &fakeHetzner{failStatus: http.StatusBadGateway, failBody: "<html>\n502 " + token + "\n</html>"},
			want: []string{"HTTP 502"},
		},
		{
			name: "rate limited on the action",
			fake: &fakeHetzner{failStatus: http.StatusTooManyRequests, failWrites: true, failBody: `{"error":{"code":"rate_limit_exceeded","message":"slow down"}}`},
			want: []string{"HTTP 429", "rate limited", "_records: rate_limit_exceeded"},
		},
		{
			name:  "timeout",
			fake:  &fakeHetzner{block: true},
			want:  []string{"timed out"},
			short: true,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fake.sets, tt.fake.actions = map[string]*fakeSet{}, map[int64]int{}
			srv, _ := adaptertest.NewServer(t, tt.fake)

			cfg := &Config{APIToken: token, BaseURL: srv.URL + "/v1"}
			cfg.Zone = "example.com"
			cfg.HTTPTimeout = 5 * time.Second

			if tt.short {
				cfg.HTTPTimeout = 50 * time.Millisecond
			}

			pub, err := NewDNSProviderConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}

			// The value is at the name for unpublish only, so that both
			// calls reach their write when the read succeeds.
			for _, call := range []struct {
				op      func(context.Context, string, string) error
				present bool
			}{{pub.Publish, false}, {pub.Unpublish, true}} {
				tt.fake.mu.Lock()
				clear(tt.fake.sets)

				if call.present {
					tt.fake.put("_validation-persist.www", 300, q(value))
				}
				tt.fake.mu.Unlock()

				err := call.op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, append([]string{"hetzner", fqdn}, tt.want...)...)
				adaptertest.AssertNoSecret(t, err, token)
			}
		})
	}
}

func setHetznerEnv(t *testing.T, vars map[string]string) {
	t.Helper()

	for _, k := range []string{EnvAPIToken, EnvAPIKey, EnvAPIURL, "HETZNER_ZONE", "HETZNER_TTL", "HETZNER_HTTP_TIMEOUT"} {
		t.Setenv(k, "")
	}

	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	f := newFake()
	srv, rec := adaptertest.NewServer(t, f)

	setHetznerEnv(t, map[string]string{
		EnvAPIToken: token, EnvAPIURL: srv.URL + "/v1", "HETZNER_ZONE": "example.com", "HETZNER_TTL": "600",
		EnvAPIKey: "legacy-key-SECRET", // ignored next to a Cloud API token, as in lego
	})

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	w := rec.Writes()
	if len(w) != 1 || w[0].Path != rrsetPath+"/actions/add_records" || !strings.Contains(w[0].Body, `"ttl":600`) {
		t.Errorf("writes = %v, want one add_records with ttl 600", w)
	}
}

func TestNewDNSProviderRefusesWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{
			name: "legacy DNS Console key only",
			vars: map[string]string{EnvAPIKey: "legacy-key-SECRET"},
			want: []string{EnvAPIKey, "not supported", EnvAPIToken},
		},
		{
			name: "no token",
			want: []string{EnvAPIToken},
		},
		{
			name: "API URL without scheme",
			vars: map[string]string{EnvAPIToken: token, EnvAPIURL: "api.hetzner.cloud/v1"},
			want: []string{EnvAPIURL},
		},
		{
			name: "API URL with credentials",
			vars: map[string]string{EnvAPIToken: token, EnvAPIURL: "https://u:pw-SECRET@proxy.example/v1"},
			want: []string{EnvAPIURL},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"HETZNER_ZONE": "example.com"}
			for k, v := range tt.vars {
				vars[k] = v
			}

			setHetznerEnv(t, vars)

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, append([]string{"hetzner"}, tt.want...)...)

			for _, secret := range []string{token, "legacy-key-SECRET", "pw-SECRET"} {
				adaptertest.AssertNoSecret(t, err, secret)
			}
		})
	}
}

func TestNewDefaultConfigUsesLegoDefaults(t *testing.T) {
	setHetznerEnv(t, nil)

	cfg := NewDefaultConfig()
	if cfg.BaseURL != DefaultBaseURL || cfg.TTL != 120 {
		t.Errorf("NewDefaultConfig() = base %q, TTL %d; want %q, 120", cfg.BaseURL, cfg.TTL, DefaultBaseURL)
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

	if d.Name != "hetzner" || !slices.Equal(required, []string{EnvAPIToken}) || !slices.Contains(names, EnvAPIURL) {
		t.Errorf("Describe() = %s with %v (required %v)", d.Name, names, required)
	}
}
