package azuredns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	tenant   = "tenant-1"
	clientID = "client-1"
	secret   = "client-secret-SECRET-9"
	token    = "access-token-SECRET-7"
	sub      = "sub-1"
	group    = "rg-1"
	fqdn     = "_validation-persist.www.example.com."
	value    = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA  = "other.example; accounturi=https://other.example/acct/9"
)

// authority and arm are the endpoints the tests configure; every request
// to them is sent to the fake (adaptertest.RedirectTransport).
const (
	authority = "https://login.fake.test"
	arm       = "https://management.fake.test"
)

const setPath = "/subscriptions/" + sub + "/resourceGroups/" + group +
	"/providers/Microsoft.Network/dnsZones/example.com/TXT/_validation-persist.www"

// storedSet is the fake's record set: its properties as JSON objects.
type storedSet struct {
	etag  int
	props map[string]any
}

// fakeAzure implements the identity platform's token endpoint and Azure
// DNS record sets (GET, PUT and DELETE with ETag conditions).
type fakeAzure struct {
	mu     sync.Mutex
	sets   map[string]*storedSet // by path
	tokens int

	failPath   string // requests whose path starts with it get failStatus
	failStatus int
	failBody   string

	// interfere runs before the first conditional write, as another
	// writer would (it changes the set, so the write gets 412).
	interfere func(f *fakeAzure)
}

func newFakeAzure() *fakeAzure { return &fakeAzure{sets: map[string]*storedSet{}} }

func (f *fakeAzure) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()

	if f.failStatus != 0 && strings.HasPrefix(r.URL.Path, f.failPath) {
		w.WriteHeader(f.failStatus)
		_, _ = fmt.Fprint(w, f.failBody)

		return
	}

	switch r.URL.Path {
	case "/" + tenant + "/v2.0/.well-known/openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{
			"token_endpoint":         authority + "/" + tenant + "/oauth2/v2.0/token",
			"authorization_endpoint": authority + "/" + tenant + "/oauth2/v2.0/authorize",
			"issuer":                 authority + "/" + tenant + "/v2.0",
		})

		return
	case "/" + tenant + "/oauth2/v2.0/token":
		f.token(w, r)

		return
	}

	if r.Header.Get("Authorization") != "Bearer "+token {
		armError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "bad token")

		return
	}

	if r.URL.Query().Get("api-version") != apiVersion {
		armError(w, http.StatusBadRequest, "InvalidApiVersion", "api-version")

		return
	}

	set := f.sets[r.URL.Path]

	switch r.Method {
	case http.MethodGet:
		if set == nil {
			armError(w, http.StatusNotFound, "NotFound", "no record set")

			return
		}

		props := map[string]any{"fqdn": strings.TrimPrefix(fqdn, ""), "provisioningState": "Succeeded"}
		for k, v := range set.props {
			props[k] = v
		}

		_ = json.NewEncoder(w).Encode(map[string]any{"etag": etagOf(set), "properties": props})

	case http.MethodPut, http.MethodDelete:
		if f.interfere != nil {
			interfere := f.interfere
			f.interfere = nil
			interfere(f)
			set = f.sets[r.URL.Path]
		}

		if !f.preconditionHolds(r, set) {
			armError(w, http.StatusPreconditionFailed, "PreconditionFailed", "etag mismatch")

			return
		}

		if r.Method == http.MethodDelete {
			delete(f.sets, r.URL.Path)
			w.WriteHeader(http.StatusOK)

			return
		}

		var body struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			armError(w, http.StatusBadRequest, "BadRequest", err.Error())

			return
		}

		for _, ro := range []string{"fqdn", "provisioningState"} {
			if _, ok := body.Properties[ro]; ok {
				armError(w, http.StatusBadRequest, "BadRequest", "read-only property "+ro)

				return
			}
		}

		status := http.StatusOK
		if set == nil {
			set, status = &storedSet{}, http.StatusCreated
			f.sets[r.URL.Path] = set
		}

		set.etag++
		set.props = body.Properties
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"etag": etagOf(set), "properties": set.props})

	default:
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
	}
}

func (f *fakeAzure) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()

	if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != clientID ||
		r.PostForm.Get("client_secret") != secret || !slices.Contains(strings.Fields(r.PostForm.Get("scope")), arm+"/.default") {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.\nTrace ID: 1"})

		return
	}

	f.tokens++
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3599})
}

func (f *fakeAzure) preconditionHolds(r *http.Request, set *storedSet) bool {
	if r.Header.Get("If-None-Match") == "*" {
		return set == nil
	}

	return set != nil && r.Header.Get("If-Match") == etagOf(set)
}

func etagOf(s *storedSet) string { return `W/"` + strconv.Itoa(s.etag) + `"` }

func armError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// txt builds the TXTRecords property from values, one record each.
func txt(values ...[]string) []any {
	out := []any{}
	for _, v := range values {
		out = append(out, map[string]any{"value": v})
	}

	return out
}

func (f *fakeAzure) put(path string, props map[string]any) {
	f.sets[path] = &storedSet{etag: 1, props: props}
}

// txtOf returns the values of the set at setPath, each record's strings
// joined by "|".
func (f *fakeAzure) txtOf() ([]string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()

	set := f.sets[setPath]
	if set == nil {
		return nil, false
	}

	raw, _ := json.Marshal(set.props["TXTRecords"])

	var recs []txtRecord
	_ = json.Unmarshal(raw, &recs)

	var out []string
	for _, r := range recs {
		out = append(out, strings.Join(r.Value, "|"))
	}

	return out, true
}

func newTestPublisher(t *testing.T, f *fakeAzure) (*DNSProvider, *adaptertest.Recorder) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, f)

	cfg := &Config{
		TenantID: tenant, ClientID: clientID, ClientSecret: secret,
		SubscriptionID: sub, ResourceGroup: group,
		AuthorityHost: authority, ResourceManagerEndpoint: arm + "/",
		HTTPClient: &http.Client{Transport: adaptertest.RedirectTransport(t, srv)},
	}
	cfg.Zone = "example.com"
	cfg.TTL = 60
	cfg.HTTPTimeout = 5 * time.Second

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return pub, rec
}

func TestPublishAddsTheValueUnderTheSetsETag(t *testing.T) {
	long := value + "; x=" + strings.Repeat("a", 300)

	tests := []struct {
		name      string
		existing  map[string]any
		value     string
		want      []string
		wantCond  string // the write's condition header
		wantProps map[string]any
	}{
		{
			name:     "no set yet: created with If-None-Match",
			value:    value,
			want:     []string{value},
			wantCond: "If-None-Match: *",
		},
		{
			name:     "existing set: other values, TTL and metadata kept",
			existing: map[string]any{"TTL": 300, "metadata": map[string]any{"owner": "dns-team"}, "TXTRecords": txt([]string{otherCA}, []string{"v=spf1", " -all"})},
			value:    value,
			want:     []string{otherCA, "v=spf1| -all", value},
			wantCond: `If-Match: W/"1"`,
			wantProps: map[string]any{
				"TTL": float64(300), "metadata": map[string]any{"owner": "dns-team"},
			},
		},
		{
			name:     "value over 255 octets: two strings in one record",
			value:    long,
			want:     []string{long[:255] + "|" + long[255:]},
			wantCond: "If-None-Match: *",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAzure()
			if tt.existing != nil {
				f.put(setPath, tt.existing)
			}

			pub, rec := newTestPublisher(t, f)

			if err := pub.Publish(context.Background(), fqdn, tt.value); err != nil {
				t.Fatal(err)
			}

			if got, _ := f.txtOf(); !slices.Equal(got, tt.want) {
				t.Errorf("values = %q, want %q", got, tt.want)
			}

			var writes []string
			for _, r := range rec.Writes() {
				if r.Method == http.MethodPut {
					cond := "If-Match: " + r.Header.Get("If-Match")
					if r.Header.Get("If-None-Match") != "" {
						cond = "If-None-Match: " + r.Header.Get("If-None-Match")
					}

					writes = append(writes, r.Path+" "+cond)
				}
			}

			if want := []string{setPath + " " + tt.wantCond}; !slices.Equal(writes, want) {
				t.Errorf("writes = %q, want %q", writes, want)
			}

			for k, v := range tt.wantProps {
				if got := f.sets[setPath].props[k]; fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("property %s = %v, want %v", k, got, v)
				}
			}

			if tt.existing == nil && fmt.Sprint(f.sets[setPath].props["TTL"]) != "60" {
				t.Errorf("TTL of the new set = %v, want 60", f.sets[setPath].props["TTL"])
			}
		})
	}
}

func TestPublishOfAValueAlreadyThereWritesNothing(t *testing.T) {
	f := newFakeAzure()
	f.put(setPath, map[string]any{"TTL": 60, "TXTRecords": txt([]string{otherCA}, []string{value[:10], value[10:]})})

	pub, rec := newTestPublisher(t, f)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if w := rec.Writes(); len(w) != 1 || !strings.HasSuffix(w[0].Path, "/token") {
		t.Errorf("writes = %v, want only the token request", w)
	}
}

func TestPublishRetriesOnceWhenAnotherWriterChangedTheSet(t *testing.T) {
	f := newFakeAzure()
	f.put(setPath, map[string]any{"TTL": 60, "TXTRecords": txt([]string{otherCA})})
	f.interfere = func(f *fakeAzure) {
		f.sets[setPath].props["TXTRecords"] = txt([]string{otherCA}, []string{"third.example; accounturi=https://t/1"})
		f.sets[setPath].etag++
	}

	pub, _ := newTestPublisher(t, f)

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	want := []string{otherCA, "third.example; accounturi=https://t/1", value}
	if got, _ := f.txtOf(); !slices.Equal(got, want) {
		t.Errorf("values = %q, want %q (the concurrent value kept)", got, want)
	}
}

func TestPublishGivesUpAfterASecondConflict(t *testing.T) {
	f := newFakeAzure()
	f.put(setPath, map[string]any{"TTL": 60, "TXTRecords": txt([]string{otherCA})})

	var bump func(f *fakeAzure)
	bump = func(f *fakeAzure) {
		f.sets[setPath].etag++
		f.interfere = bump // and again on the next write
	}
	f.interfere = bump

	pub, _ := newTestPublisher(t, f)

	err := pub.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "azuredns", fqdn, "412", "changed")
}

func TestUnpublishRemovesOnlyTheExactValue(t *testing.T) {
	tests := []struct {
		name       string
		existing   []any
		wantMethod string
		want       []string
	}{
		{
			name:       "other values stay",
			existing:   txt([]string{otherCA}, []string{value}, []string{value + "; policy=wildcard"}),
			wantMethod: http.MethodPut,
			want:       []string{otherCA, value + "; policy=wildcard"},
		},
		{
			name:       "a value split over two strings is found",
			existing:   txt([]string{otherCA}, []string{value[:20], value[20:]}),
			wantMethod: http.MethodPut,
			want:       []string{otherCA},
		},
		{
			name:       "the only value: the set is deleted",
			existing:   txt([]string{value}),
			wantMethod: http.MethodDelete,
		},
		{
			name:     "absent value: nothing written",
			existing: txt([]string{otherCA}),
			want:     []string{otherCA},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAzure()
			f.put(setPath, map[string]any{"TTL": 60, "TXTRecords": tt.existing})

			pub, rec := newTestPublisher(t, f)

			if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			var methods []string
			for _, r := range rec.Writes() {
				if r.Path == setPath {
					methods = append(methods, r.Method)

					if r.Header.Get("If-Match") != `W/"1"` {
						t.Errorf("%s without the set's ETag: If-Match %q", r.Method, r.Header.Get("If-Match"))
					}
				}
			}

			if tt.wantMethod == "" && len(methods) != 0 || tt.wantMethod != "" && !slices.Equal(methods, []string{tt.wantMethod}) {
				t.Errorf("writes = %v, want %q", methods, tt.wantMethod)
			}

			got, ok := f.txtOf()
			if tt.wantMethod == http.MethodDelete && ok || !slices.Equal(got, tt.want) {
				t.Errorf("values left = %q (set exists: %v), want %q", got, ok, tt.want)
			}
		})
	}
}

func TestUnpublishWithoutASetWritesNothing(t *testing.T) {
	pub, rec := newTestPublisher(t, newFakeAzure())

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	for _, r := range rec.Writes() {
		if r.Path == setPath {
			t.Errorf("unexpected write %s", r)
		}
	}
}

func TestTheTokenIsReusedAcrossCalls(t *testing.T) {
	f := newFakeAzure()
	pub, _ := newTestPublisher(t, f)

	for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish, pub.Publish} {
		if err := op(context.Background(), fqdn, value); err != nil {
			t.Fatal(err)
		}
	}

	if f.tokens != 1 {
		t.Errorf("tokens issued = %d, want 1", f.tokens)
	}
}

func TestErrorsAreOneLineWithStatusAndWithoutSecrets(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		status int
		body   string
		want   []string
	}{
		{
			name: "token refused", path: "/" + tenant, status: http.StatusUnauthorized,
			body: `{"error":"invalid_client","error_description":"AADSTS7000215: bad secret ` + secret + `\nTrace ID: 1"}`,
			want: []string{"HTTP 401", "invalid_client", "token"},
		},
		{
			name: "forbidden", path: "/subscriptions", status: http.StatusForbidden,
			body: `{"error":{"code":"AuthorizationFailed","message":"no write access for token ` + token + `"}}`,
			want: []string{"HTTP 403", "AuthorizationFailed"},
		},
		{
			name: "throttled", path: "/subscriptions", status: http.StatusTooManyRequests,
			body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`,
			want: []string{"HTTP 429", "rate limited"},
		},
		{
			name: "server error page", path: "/subscriptions", status: http.StatusBadGateway,
			body: "<html>\n502\n</html>",
			want: []string{"HTTP 502"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAzure()
			f.failPath, f.failStatus, f.failBody = tt.path, tt.status, tt.body

			pub, _ := newTestPublisher(t, f)

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, append([]string{"azuredns", fqdn}, tt.want...)...)
				adaptertest.AssertNoSecret(t, err, secret)
				adaptertest.AssertNoSecret(t, err, token)
			}
		})
	}
}

func setAzureEnv(t *testing.T, vars map[string]string) {
	t.Helper()

	for _, k := range []string{EnvEnvironment, EnvSubscriptionID, EnvResourceGroup, EnvZoneName, EnvPrivateZone, EnvTenantID,
		EnvClientID, EnvClientSecret, EnvAuthMethod, EnvAuthorityHost, EnvResourceManagerEndpoint, "AZURE_ZONE", "AZURE_TTL",
		EnvOIDCToken, EnvOIDCTokenFile, EnvAuthMSITimeout} {
		t.Setenv(k, "")
	}

	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func fullEnv(endpoint string) map[string]string {
	return map[string]string{
		EnvTenantID: tenant, EnvClientID: clientID, EnvClientSecret: secret,
		EnvSubscriptionID: sub, EnvResourceGroup: group, EnvZoneName: "example.com",
		EnvAuthorityHost: endpoint, EnvResourceManagerEndpoint: endpoint, "AZURE_TTL": "120",
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	f := newFakeAzure()
	srv, _ := adaptertest.NewServer(t, f)
	adaptertest.RedirectDefaultTransport(t, srv)
	setAzureEnv(t, fullEnv(authority))
	t.Setenv(EnvResourceManagerEndpoint, arm)

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if got := fmt.Sprint(f.sets[setPath].props["TTL"]); got != "120" {
		t.Errorf("TTL = %s, want 120", got)
	}
}

func TestNewDNSProviderRefusesWhatItCannotHonour(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{name: "no resource group", change: map[string]string{EnvResourceGroup: ""}, want: EnvResourceGroup},
		{name: "azure pipelines", change: map[string]string{EnvAuthMethod: "pipeline"}, want: EnvAuthMethod},
		{name: "oidc without a token", change: map[string]string{EnvAuthMethod: "oidc"}, want: EnvOIDCToken},
		{name: "private zone", change: map[string]string{EnvPrivateZone: "true"}, want: "private"},
		{name: "unknown cloud", change: map[string]string{EnvEnvironment: "mars"}, want: EnvEnvironment},
		{name: "endpoint not a URL", change: map[string]string{EnvResourceManagerEndpoint: "management.example"}, want: EnvResourceManagerEndpoint},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := fullEnv("http://127.0.0.1:1")
			for k, v := range tt.change {
				vars[k] = v
			}

			setAzureEnv(t, vars)

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, "azuredns", tt.want)
			adaptertest.AssertNoSecret(t, err, secret)
		})
	}
}

func TestCloudsMapToTheirEndpoints(t *testing.T) {
	for name, want := range map[string]string{"": "management.azure.com", "China": "management.chinacloudapi.cn", "usgovernment": "management.usgovcloudapi.net"} {
		cfg := &Config{TenantID: tenant, ClientID: clientID, ClientSecret: secret, SubscriptionID: sub, ResourceGroup: group, Environment: name}
		cfg.Zone = "example.com"

		c, err := newClient(cfg)
		if err != nil {
			t.Fatal(err)
		}

		if u, _ := url.Parse(c.zonesURL); u.Host != want || c.scope != "https://"+want+"/.default" {
			t.Errorf("%q: zones URL %s, scope %s; want host %s", name, c.zonesURL, c.scope, want)
		}
	}
}

func TestAuthMethodsBuildTheirAzidentityCredential(t *testing.T) {
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", filepath.Join(t.TempDir(), "token"))

	tests := []struct {
		method string
		cfg    Config
		want   string // the credential's type
	}{
		{method: "", cfg: Config{TenantID: tenant, ClientID: clientID, ClientSecret: secret}, want: "*azidentity.ClientSecretCredential"},
		{method: "", want: "*azidentity.DefaultAzureCredential"},
		{method: "env", cfg: Config{TenantID: tenant, ClientID: clientID, ClientSecret: secret}, want: "*azidentity.ClientSecretCredential"},
		{method: "wli", cfg: Config{TenantID: tenant, ClientID: clientID}, want: "*azidentity.WorkloadIdentityCredential"},
		{method: "msi", want: "azuredns.timeoutCredential"},
		{method: "cli", want: "*azidentity.AzureCLICredential"},
		{method: "oidc", cfg: Config{TenantID: tenant, ClientID: clientID, OIDCToken: "federated"}, want: "*azidentity.ClientAssertionCredential"},
	}

	for _, tt := range tests {
		t.Run(tt.method+tt.want, func(t *testing.T) {
			cfg := tt.cfg
			cfg.AuthMethod, cfg.SubscriptionID, cfg.ResourceGroup = tt.method, sub, group

			c, err := newClient(&cfg)
			if err != nil {
				t.Fatal(err)
			}

			if got := fmt.Sprintf("%T", c.cred); got != tt.want {
				t.Errorf("credential = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDescribeListsTheRequiredVariables(t *testing.T) {
	d := Describe()

	var required []string
	for _, e := range d.Env {
		if e.Required {
			required = append(required, e.Name)
		}
	}

	want := []string{EnvSubscriptionID, EnvResourceGroup}
	if d.Name != "azuredns" || !slices.Equal(required, want) {
		t.Errorf("Describe() = %s with required %v, want %v", d.Name, required, want)
	}
}
