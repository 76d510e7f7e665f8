package gcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

// rrset and change are the fake's view of the Cloud DNS v1 JSON: a
// ResourceRecordSet (TXT only) and a Change.
type rrset struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	TTL     int64    `json:"ttl"`
	Rrdatas []string `json:"rrdatas"`

	RoutingPolicy json.RawMessage `json:"routingPolicy,omitempty"`
}

type change struct {
	Additions []rrset `json:"additions,omitempty"`
	Deletions []rrset `json:"deletions,omitempty"`
}

const (
	project = "proj-1"
	token   = "ya29.access-token-SECRET-7"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"

	apiPath     = "/dns/v1/projects/" + project
	zonesPath   = apiPath + "/managedZones"
	rrsetsPath  = zonesPath + "/example-com/rrsets"
	changesPath = zonesPath + "/example-com/changes"
)

// q quotes a value as one Cloud DNS TXT rrdata string.
func q(s string) string { return `"` + s + `"` }

type managedZone struct {
	Name       string `json:"name"`
	DNSName    string `json:"dnsName"`
	Visibility string `json:"visibility"`
}

// fakeCloudDNS implements the part of the Cloud DNS v1 API the client
// uses: managedZones list (dnsName filter) and get, rrsets list (name and
// type filters), and changes create with its all-or-nothing checks
// (deletions must match the current set exactly: 412; additions must not
// collide with a set: 409).
type fakeCloudDNS struct {
	mu    sync.Mutex
	zones []managedZone
	sets  map[string]rrset // TXT sets of zone example-com, by name

	failPath   string // requests whose path starts with it get failStatus
	failStatus int
	failBody   string
	hang       bool // every request waits until the client gives up

	// interfere runs before a change is applied, as another writer would;
	// it is cleared first unless it sets itself again.
	interfere func(f *fakeCloudDNS)
}

func newFake() *fakeCloudDNS {
	return &fakeCloudDNS{
		zones: []managedZone{{Name: "example-com", DNSName: "example.com.", Visibility: "public"}},
		sets:  map[string]rrset{},
	}
}

func googleError(w http.ResponseWriter, status int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": status, "message": msg, "errors": []any{map[string]any{"domain": "global", "reason": reason, "message": msg}},
	}})
}

func (f *fakeCloudDNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.hang {
		<-r.Context().Done()

		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()

	if f.failStatus != 0 && strings.HasPrefix(r.URL.Path, f.failPath) {
		w.WriteHeader(f.failStatus)
		_, _ = fmt.Fprint(w, f.failBody)

		return
	}

	if r.Header.Get("Authorization") != "Bearer "+token {
		googleError(w, http.StatusUnauthorized, "authError", "Invalid Credentials")

		return
	}

	switch {
	case r.Method == http.MethodGet && r.URL.Path == zonesPath:
		var out []managedZone
		for _, z := range f.zones {
			if dns := r.URL.Query().Get("dnsName"); dns == "" || dns == z.DNSName {
				out = append(out, z)
			}
		}

		_ = json.NewEncoder(w).Encode(map[string]any{"managedZones": out})

	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, zonesPath+"/") && !strings.Contains(r.URL.Path[len(zonesPath)+1:], "/"):
		for _, z := range f.zones {
			if zonesPath+"/"+z.Name == r.URL.Path {
				_ = json.NewEncoder(w).Encode(z)

				return
			}
		}

		googleError(w, http.StatusNotFound, "notFound", "The 'parameters.managedZone' resource named 'x' does not exist.")

	case r.Method == http.MethodGet && r.URL.Path == rrsetsPath:
		out := []rrset{}
		if s, ok := f.sets[r.URL.Query().Get("name")]; ok && r.URL.Query().Get("type") == "TXT" {
			out = append(out, s)
		}

		_ = json.NewEncoder(w).Encode(map[string]any{"kind": "dns#resourceRecordSetsListResponse", "rrsets": out})

	case r.Method == http.MethodPost && r.URL.Path == changesPath:
		f.change(w, r)

	default:
		googleError(w, http.StatusNotFound, "notFound", r.Method+" "+r.URL.Path)
	}
}

func (f *fakeCloudDNS) change(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") != "application/json" {
		googleError(w, http.StatusBadRequest, "badRequest", "content type")

		return
	}

	var ch change
	if err := json.NewDecoder(r.Body).Decode(&ch); err != nil {
		googleError(w, http.StatusBadRequest, "parseError", err.Error())

		return
	}

	if f.interfere != nil {
		interfere := f.interfere
		f.interfere = nil
		interfere(f)
	}

	next := map[string]rrset{}
	for k, v := range f.sets {
		next[k] = v
	}

	for i, d := range ch.Deletions {
		cur, ok := next[d.Name]
		if !ok || d.Type != "TXT" || cur.TTL != d.TTL || !slices.Equal(cur.Rrdatas, d.Rrdatas) {
			googleError(w, http.StatusPreconditionFailed, "conditionNotMet", fmt.Sprintf("Precondition not met for 'entity.change.deletions[%d]'", i))

			return
		}

		delete(next, d.Name)
	}

	for i, a := range ch.Additions {
		if _, ok := next[a.Name]; ok {
			googleError(w, http.StatusConflict, "alreadyExists", fmt.Sprintf("The resource 'entity.change.additions[%d]' named '%s (TXT)' already exists", i, a.Name))

			return
		}

		if a.Type != "TXT" || a.TTL <= 0 || len(a.Rrdatas) == 0 {
			googleError(w, http.StatusBadRequest, "invalid", "bad addition")

			return
		}

		next[a.Name] = a
	}

	f.sets = next
	_ = json.NewEncoder(w).Encode(map[string]any{"kind": "dns#change", "id": "7", "status": "pending",
		"additions": ch.Additions, "deletions": ch.Deletions})
}

func (f *fakeCloudDNS) set(name string) (rrset, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()

	s, ok := f.sets[name]

	return s, ok
}

func testConfig(apiURL string) *Config {
	cfg := &Config{
		Project:     project,
		APIURL:      apiURL + "/dns/v1/",
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}),
	}
	cfg.Zone = "example.com"
	cfg.TTL = 120
	cfg.HTTPTimeout = 5 * time.Second

	return cfg
}

func newTestPublisher(t *testing.T, f *fakeCloudDNS, edit ...func(*Config)) (*DNSProvider, *adaptertest.Recorder) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, f)

	cfg := testConfig(srv.URL)
	for _, e := range edit {
		e(cfg)
	}

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return pub, rec
}

// request is what a test expects of one request: method, path, query
// and, for a change, its JSON body.
type request struct {
	method, path string
	query        url.Values
	body         *change
}

func listZones() request {
	return request{method: http.MethodGet, path: zonesPath, query: url.Values{"dnsName": {"example.com."}}}
}

func listSet() request {
	return request{method: http.MethodGet, path: rrsetsPath, query: url.Values{"name": {fqdn}, "type": {"TXT"}}}
}

func postChange(ch change) request {
	return request{method: http.MethodPost, path: changesPath, query: url.Values{}, body: &ch}
}

func txtSet(ttl int64, datas ...string) rrset {
	return rrset{Name: fqdn, Type: "TXT", TTL: ttl, Rrdatas: datas}
}

// assertRequests checks the requests the fake received, one by one, and
// that each carried the bearer token.
func assertRequests(t *testing.T, got []adaptertest.Request, want []request) {
	t.Helper()

	if len(got) != len(want) {
		t.Errorf("got %d requests %v, want %d", len(got), got, len(want))
	}

	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]

		// The client library adds alt=json and prettyPrint=false to
		// every call; the rest of the query is the test's.
		q := url.Values{}
		for k, v := range g.Query {
			if k != "alt" && k != "prettyPrint" {
				q[k] = v
			}
		}

		if g.Method != w.method || g.Path != w.path || q.Encode() != w.query.Encode() {
			t.Errorf("request %d = %s, want %s %s?%s", i, g, w.method, w.path, w.query.Encode())
		}

		if auth := g.Header.Get("Authorization"); auth != "Bearer "+token {
			t.Errorf("request %d: Authorization = %q", i, auth)
		}

		if w.body == nil {
			if g.Body != "" {
				t.Errorf("request %d: unexpected body %s", i, g.Body)
			}

			continue
		}

		// Compare field for field: the body must be this change and
		// nothing else (unknown fields refused).
		var gotBody change

		dec := json.NewDecoder(strings.NewReader(g.Body))
		dec.DisallowUnknownFields()

		wantBody, _ := json.Marshal(w.body)
		if err := dec.Decode(&gotBody); err != nil || !reflect.DeepEqual(gotBody, *w.body) {
			t.Errorf("request %d body (%v):\n got %s\nwant %s", i, err, g.Body, wantBody)
		}
	}
}

func TestPublishSendsOneChangeThatAddsTheValueToTheSet(t *testing.T) {
	long := value + "; x=" + strings.Repeat("a", 300)

	tests := []struct {
		name     string
		existing *rrset
		value    string
		change   change
	}{
		{
			name:   "no set yet: an addition with the configured TTL",
			value:  value,
			change: change{Additions: []rrset{txtSet(120, q(value))}},
		},
		{
			name:     "other values: the set is replaced by itself plus the value, keeping its TTL",
			existing: &rrset{Name: fqdn, Type: "TXT", TTL: 300, Rrdatas: []string{q(otherCA), `"v=spf1" " -all"`}},
			value:    value,
			change: change{
				Deletions: []rrset{txtSet(300, q(otherCA), `"v=spf1" " -all"`)},
				Additions: []rrset{txtSet(300, q(otherCA), `"v=spf1" " -all"`, q(value))},
			},
		},
		{
			name:   "a value over 255 octets: two strings in one rrdata",
			value:  long,
			change: change{Additions: []rrset{txtSet(120, q(long[:255])+" "+q(long[255:]))}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.existing != nil {
				f.sets[fqdn] = *tt.existing
			}

			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), fqdn, tt.value); err != nil {
				t.Fatal(err)
			}

			assertRequests(t, rec.Requests(), []request{listZones(), listSet(), postChange(tt.change)})

			if got, _ := f.set(fqdn); !slices.Equal(got.Rrdatas, tt.change.Additions[0].Rrdatas) {
				t.Errorf("set after publish = %q", got.Rrdatas)
			}
		})
	}
}

func TestPublishOfAValueAlreadyThereWritesNothing(t *testing.T) {
	for name, stored := range map[string]string{
		"quoted":          q(value),
		"split in two":    q(value[:10]) + " " + q(value[10:]),
		"escaped octets":  `"ca.example;\032accounturi=https://ca.example/acct/1"`,
		"unquoted tokens": `ca.example;\ accounturi=https://ca.example/acct/1`,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			f.sets[fqdn] = txtSet(60, q(otherCA), stored)

			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			if w := rec.Writes(); len(w) != 0 {
				t.Errorf("writes = %v, want none", w)
			}
		})
	}
}

func TestPublishRetriesOnceWhenAnotherWriterChangedTheSet(t *testing.T) {
	const third = "third.example; accounturi=https://t/1"

	tests := []struct {
		name      string
		existing  bool
		interfere func(f *fakeCloudDNS)
		status    int
	}{
		{
			name:      "a value added meanwhile: 412",
			existing:  true,
			interfere: func(f *fakeCloudDNS) { f.sets[fqdn] = txtSet(60, q(otherCA), q(third)) },
			status:    http.StatusPreconditionFailed,
		},
		{
			name:      "the set created meanwhile: 409",
			interfere: func(f *fakeCloudDNS) { f.sets[fqdn] = txtSet(60, q(otherCA), q(third)) },
			status:    http.StatusConflict,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			if tt.existing {
				f.sets[fqdn] = txtSet(60, q(otherCA))
			}

			f.interfere = tt.interfere

			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			assertRequests(t, rec.Requests(), []request{
				listZones(), listSet(), postChange(firstTry(tt.existing)),
				listSet(), postChange(change{
					Deletions: []rrset{txtSet(60, q(otherCA), q(third))},
					Additions: []rrset{txtSet(60, q(otherCA), q(third), q(value))},
				}),
			})

			want := []string{q(otherCA), q(third), q(value)}
			if got, _ := f.set(fqdn); !slices.Equal(got.Rrdatas, want) {
				t.Errorf("set = %q, want %q (the concurrent value kept)", got.Rrdatas, want)
			}
		})
	}
}

func firstTry(existing bool) change {
	if !existing {
		return change{Additions: []rrset{txtSet(120, q(value))}}
	}

	return change{
		Deletions: []rrset{txtSet(60, q(otherCA))},
		Additions: []rrset{txtSet(60, q(otherCA), q(value))},
	}
}

func TestPublishGivesUpAfterASecondConflict(t *testing.T) {
	f := newFake()
	f.sets[fqdn] = txtSet(60, q(otherCA))

	n := 0

	var bump func(f *fakeCloudDNS)
	bump = func(f *fakeCloudDNS) {
		n++
		f.sets[fqdn] = txtSet(60, q(otherCA), q(fmt.Sprint("writer ", n)))
		f.interfere = bump // and again on the next change
	}
	f.interfere = bump

	pub, rec := newTestPublisher(t, f)

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "HTTP 412", "conditionNotMet", "changed")

	if w := rec.Writes(); len(w) != 2 {
		t.Errorf("changes sent = %d, want 2", len(w))
	}
}

func TestUnpublishRemovesOnlyTheExactValue(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		change   *change // nil: nothing written
		left     []string
	}{
		{
			name:     "other values stay",
			existing: []string{q(otherCA), q(value), q(value + "; policy=wildcard")},
			change: &change{
				Deletions: []rrset{txtSet(300, q(otherCA), q(value), q(value+"; policy=wildcard"))},
				Additions: []rrset{txtSet(300, q(otherCA), q(value+"; policy=wildcard"))},
			},
			left: []string{q(otherCA), q(value + "; policy=wildcard")},
		},
		{
			name:     "a value split over two strings is found",
			existing: []string{q(otherCA), q(value[:20]) + " " + q(value[20:])},
			change: &change{
				Deletions: []rrset{txtSet(300, q(otherCA), q(value[:20])+" "+q(value[20:]))},
				Additions: []rrset{txtSet(300, q(otherCA))},
			},
			left: []string{q(otherCA)},
		},
		{
			name:     "the only value: the set is deleted",
			existing: []string{q(value)},
			change:   &change{Deletions: []rrset{txtSet(300, q(value))}},
		},
		{
			name:     "absent value: nothing written",
			existing: []string{q(otherCA)},
			left:     []string{q(otherCA)},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.sets[fqdn] = txtSet(300, tt.existing...)

			pub, rec := newTestPublisher(t, f)

			if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			want := []request{listZones(), listSet()}
			if tt.change != nil {
				want = append(want, postChange(*tt.change))
			}

			assertRequests(t, rec.Requests(), want)

			got, ok := f.set(fqdn)
			if len(tt.left) == 0 && ok || !slices.Equal(got.Rrdatas, tt.left) {
				t.Errorf("values left = %q (set exists: %v), want %q", got.Rrdatas, ok, tt.left)
			}
		})
	}
}

func TestUnpublishWithoutASetWritesNothing(t *testing.T) {
	pub, rec := newTestPublisher(t, newFake())

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 0 {
		t.Errorf("writes = %v, want none", w)
	}
}

func TestTheManagedZoneIsFoundOnceAndPublicFirst(t *testing.T) {
	f := newFake()
	f.zones = []managedZone{
		{Name: "example-com-internal", DNSName: "example.com.", Visibility: "private"},
		{Name: "example-org", DNSName: "example.org.", Visibility: "public"},
		{Name: "example-com", DNSName: "example.com.", Visibility: "public"},
	}

	pub, rec := newTestPublisher(t, f)

	for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish, pub.Publish} {
		if err := op(context.Background(), fqdn, value); err != nil {
			t.Fatal(err)
		}
	}

	lists := 0
	for _, r := range rec.Requests() {
		if r.Path == zonesPath {
			lists++
		}
	}

	if lists != 1 {
		t.Errorf("managed zones listed %d times, want 1", lists)
	}
}

func TestPrivateZonesAreUsedOnlyWhenAllowed(t *testing.T) {
	private := []managedZone{{Name: "example-com", DNSName: "example.com.", Visibility: "private"}}

	f := newFake()
	f.zones = private
	pub, _ := newTestPublisher(t, f)

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "private", EnvAllowPrivateZone)

	f = newFake()
	f.zones = private
	pub, _ = newTestPublisher(t, f, func(c *Config) { c.AllowPrivateZone = true })

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}
}

func TestNoManagedZoneIsAnErrorNamingTheZone(t *testing.T) {
	f := newFake()
	f.zones = nil
	pub, _ := newTestPublisher(t, f)

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "no managed zone for example.com.", project)
}

func TestZoneIDSkipsTheZoneListAndNamesTheZone(t *testing.T) {
	f := newFake()
	pub, rec := newTestPublisher(t, f, func(c *Config) {
		c.ZoneID = "example-com"
		c.Zone = "" // read from the managed zone, no DNS lookup
	})

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	assertRequests(t, rec.Requests(), []request{
		{method: http.MethodGet, path: zonesPath + "/example-com", query: url.Values{}},
		listSet(),
		postChange(change{Additions: []rrset{txtSet(120, q(value))}}),
	})
}

func TestErrorsAreOneLineWithStatusAndWithoutTheToken(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		status int
		body   string
		want   []string
	}{
		{
			name: "unauthorized", path: zonesPath, status: http.StatusUnauthorized,
			body: `{"error":{"code":401,"message":"Request had invalid authentication credentials: ` + token + `\nsee docs","errors":[{"reason":"authError"}],"status":"UNAUTHENTICATED"}}`,
			want: []string{"HTTP 401", "authError", "check the credentials"},
		},
		{
			name: "forbidden on the change", path: changesPath, status: http.StatusForbidden,
			body: `{"error":{"code":403,"message":"Forbidden","errors":[{"reason":"forbidden"}]}}`,
			want: []string{"HTTP 403", "forbidden"},
		},
		{
			name: "rate limited", path: apiPath, status: http.StatusTooManyRequests,
			body: `{"error":{"code":429,"message":"Quota exceeded","errors":[{"reason":"rateLimitExceeded"}]}}`,
			want: []string{"HTTP 429", "rate limited", "rateLimitExceeded"},
		},
		{
			name: "server error page", path: apiPath, status: http.StatusBadGateway,
			body: "<html>\n502\n</html>",
			want: []string{"HTTP 502"},
		},
		{
			name: "internal error", path: rrsetsPath, status: http.StatusInternalServerError,
			body: `{"error":{"code":500,"message":"Internal error.\nTry again","errors":[{"reason":"backendError"}]}}`,
			want: []string{"HTTP 500", "backendError"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake()
			f.sets[fqdn] = txtSet(60, q(value))
			f.failPath, f.failStatus, f.failBody = tt.path, tt.status, tt.body

			for _, op := range []string{"publish", "unpublish"} {
				pub, _ := newTestPublisher(t, f)

				run := pub.Publish
				if op == "unpublish" {
					run = pub.Unpublish
				}

				err := run(context.Background(), fqdn, value+map[string]string{"publish": "; new"}[op])
				adaptertest.AssertOneLine(t, err, append([]string{"gcloud", op, fqdn}, tt.want...)...)
				adaptertest.AssertNoSecret(t, err, token)
			}
		})
	}
}

func TestAHangingAPIEndsAtTheTimeout(t *testing.T) {
	f := newFake()
	f.hang = true

	pub, _ := newTestPublisher(t, f, func(c *Config) { c.HTTPTimeout = 50 * time.Millisecond })

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "timed out")
}

func TestAFailingTokenSourceIsAnErrorWithoutARequest(t *testing.T) {
	f := newFake()
	pub, rec := newTestPublisher(t, f, func(c *Config) {
		c.TokenSource = failingTokens{}
	})

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "access token", "HTTP 400", "invalid_grant")
	adaptertest.AssertNoSecret(t, err, "KEY-SECRET")

	if r := rec.Requests(); len(r) != 0 {
		t.Errorf("requests = %v, want none", r)
	}
}

type failingTokens struct{}

func (failingTokens) Token() (*oauth2.Token, error) {
	return nil, &oauth2.RetrieveError{
		Response:         &http.Response{StatusCode: http.StatusBadRequest},
		Body:             []byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature.","key":"KEY-SECRET"}`),
		ErrorCode:        "invalid_grant",
		ErrorDescription: "Invalid JWT Signature.",
	}
}

func TestDescribeListsLegoVariablesAndOurs(t *testing.T) {
	d := Describe()
	if d.Name != "gcloud" || len(d.Env) == 0 || d.Env[0].Name != EnvProject {
		t.Errorf("Describe() = %+v", d)
	}

	var names []string
	for _, e := range d.Env {
		names = append(names, e.Name)
	}

	for _, want := range []string{EnvServiceAccountFile, EnvServiceAccount, EnvZoneID, EnvAllowPrivateZone, EnvAPIURL, "GCE_ZONE", "GCE_TTL"} {
		if !slices.Contains(names, want) {
			t.Errorf("Describe() does not list %s", want)
		}
	}
}
