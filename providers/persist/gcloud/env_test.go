package gcloud

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const clientEmail = "dns@proj-1.iam.gserviceaccount.com"

// tokenEndpoint is Google's OAuth 2.0 token endpoint for the JWT bearer
// grant (RFC 7523 §2.1) as a service account key's token_uri: it checks
// the assertion's signature and claims and issues token.
type tokenEndpoint struct {
	pub *rsa.PublicKey
	url string // its own URL: the assertion's audience

	mu     sync.Mutex
	issued int
	refuse bool
}

func (e *tokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()

	_ = r.ParseForm()

	if e.refuse {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature.","assertion":"` + r.PostForm.Get("assertion") + `"}`))

		return
	}

	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || len(parts) != 3 {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)

		return
	}

	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))

	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
		Aud   string `json:"aud"`
	}

	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	_ = json.Unmarshal(payload, &claims)

	if rsa.VerifyPKCS1v15(e.pub, crypto.SHA256, sum[:], sig) != nil || claims.Iss != clientEmail ||
		claims.Scope != Scope || claims.Aud != e.url {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)

		return
	}

	e.issued++

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": token, "token_type": "Bearer", "expires_in": 3599})
}

// fakeGoogle serves the token endpoint at /token and Cloud DNS elsewhere.
type fakeGoogle struct {
	dns   *fakeCloudDNS
	token *tokenEndpoint
}

func (g fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		g.token.ServeHTTP(w, r)

		return
	}

	g.dns.ServeHTTP(w, r)
}

// keyFile is a service account key (JSON) whose token_uri is tokenURL.
func serviceAccountKey(t *testing.T, projectID, tokenURL string) ([]byte, *rsa.PublicKey) {
	t.Helper()

	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}

	key, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": projectID, "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": clientEmail, "client_id": "1", "token_uri": tokenURL,
	})
	if err != nil {
		t.Fatal(err)
	}

	return key, &priv.PublicKey
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	return path
}

// clearEnv unsets every variable the package or Google's default
// credentials read, and points the metadata server at a closed loopback
// port, so that no test can reach a real credential or the network.
func clearEnv(t *testing.T) {
	t.Helper()

	for _, k := range []string{EnvProject, EnvServiceAccountFile, EnvServiceAccount, EnvZoneID, EnvAllowPrivateZone,
		EnvImpersonateServiceAccount, EnvAPIURL, "GCE_ZONE", "GCE_TTL", "GCE_HTTP_TIMEOUT", "GOOGLE_APPLICATION_CREDENTIALS"} {
		t.Setenv(k, "")
	}

	t.Setenv("HOME", t.TempDir()) // no gcloud well-known credentials file
	t.Setenv("GCE_METADATA_HOST", "127.0.0.1:1")
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	tests := []struct {
		name string
		env  func(key []byte) map[string]string
	}{
		{
			name: "key file, project from the key",
			env: func(key []byte) map[string]string {
				return map[string]string{EnvServiceAccountFile: writeFile(t, key), "GCE_ZONE": "example.com"}
			},
		},
		{
			name: "key as a value, GCE_PROJECT over the key's project",
			env: func(key []byte) map[string]string {
				return map[string]string{EnvServiceAccount: string(key), EnvProject: project, "GCE_ZONE": "example.com"}
			},
		},
		{
			name: "zone ID instead of a zone",
			env: func(key []byte) map[string]string {
				return map[string]string{EnvServiceAccountFile: writeFile(t, key), EnvZoneID: "example-com"}
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)

			g := fakeGoogle{dns: newFake(), token: &tokenEndpoint{}}
			srv, rec := adaptertest.NewServer(t, g)
			g.token.url = srv.URL + "/token"

			keyProject := project
			if strings.Contains(tt.name, "GCE_PROJECT") {
				keyProject = "from-key"
			}

			key, pub := serviceAccountKey(t, keyProject, g.token.url)
			g.token.pub = pub

			for k, v := range tt.env(key) {
				t.Setenv(k, v)
			}

			t.Setenv(EnvAPIURL, srv.URL+"/dns/v1")
			t.Setenv("GCE_TTL", "600")

			p, err := NewDNSProvider()
			if err != nil {
				t.Fatal(err)
			}

			for _, op := range []func(context.Context, string, string) error{p.Publish, p.Unpublish, p.Publish} {
				if err := op(context.Background(), fqdn, value); err != nil {
					t.Fatal(err)
				}
			}

			if set, _ := g.dns.set(fqdn); set.TTL != 600 {
				t.Errorf("TTL = %d, want 600", set.TTL)
			}

			if g.token.issued != 1 {
				t.Errorf("tokens issued = %d, want 1 (reused)", g.token.issued)
			}

			for _, r := range rec.Requests() {
				if r.Path != "/token" && !strings.HasPrefix(r.Path, apiPath+"/") {
					t.Errorf("request outside project %s: %s", project, r)
				}
			}
		})
	}
}

func TestARefusedTokenIsOneLineWithoutTheAssertion(t *testing.T) {
	clearEnv(t)

	g := fakeGoogle{dns: newFake(), token: &tokenEndpoint{refuse: true}}
	srv, rec := adaptertest.NewServer(t, g)
	key, _ := serviceAccountKey(t, project, srv.URL+"/token")

	t.Setenv(EnvServiceAccountFile, writeFile(t, key))
	t.Setenv(EnvAPIURL, srv.URL+"/dns/v1")
	t.Setenv("GCE_ZONE", "example.com")

	p, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	err = p.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "access token", "HTTP 400", "invalid_grant")

	assertion := ""
	for _, r := range rec.Requests() {
		if r.Path == "/token" {
			assertion = r.Body[strings.Index(r.Body, "assertion=")+len("assertion="):]
			assertion, _, _ = strings.Cut(assertion, "&")
		}
	}

	if len(assertion) < 100 {
		t.Fatalf("no assertion sent: %q", assertion)
	}

	adaptertest.AssertNoSecret(t, err, assertion[len(assertion)-40:]) // its signature
}

func TestNewDNSProviderRefusesWhatItCannotHonour(t *testing.T) {
	noProject, _ := serviceAccountKey(t, "", "http://127.0.0.1:1/token")
	notAKey := writeFile(t, []byte(`{"private_key":"KEY-SECRET"`))

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "key file without project", env: map[string]string{EnvServiceAccountFile: writeFile(t, noProject)}, want: EnvProject},
		{name: "key file that is not a key", env: map[string]string{EnvServiceAccountFile: notAKey}, want: "service_account"},
		{name: "key value that is not a key", env: map[string]string{EnvServiceAccount: `{"private_key":"KEY-SECRET"}`}, want: EnvServiceAccount},
		{name: "missing key file", env: map[string]string{EnvProject: "p", EnvServiceAccountFile: notAKey + ".gone"}, want: EnvServiceAccountFile},
		{name: "impersonation", env: map[string]string{EnvImpersonateServiceAccount: "a@p.iam"}, want: EnvImpersonateServiceAccount},
		{name: "API URL not a URL", env: map[string]string{EnvProject: "p", EnvAPIURL: "dns.example"}, want: EnvAPIURL},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("GCE_ZONE", "example.com")

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, "gcloud", tt.want)
			adaptertest.AssertNoSecret(t, err, "KEY-SECRET")
			adaptertest.AssertNoSecret(t, err, "PRIVATE KEY")
		})
	}
}

func TestDefaultCredentialsAreLookedUpOnFirstUse(t *testing.T) {
	clearEnv(t)

	g := fakeGoogle{dns: newFake(), token: &tokenEndpoint{}}
	srv, rec := adaptertest.NewServer(t, g)
	g.token.url = srv.URL + "/token"

	key, pub := serviceAccountKey(t, project, g.token.url)
	g.token.pub = pub

	// The file does not exist yet when the publisher is built: only the
	// first publish may look for it.
	adc := filepath.Join(t.TempDir(), "adc.json")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", adc)
	t.Setenv(EnvAPIURL, srv.URL+"/dns/v1")
	t.Setenv("GCE_ZONE", "example.com")

	p, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	err = p.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "Application Default Credentials", "GOOGLE_APPLICATION_CREDENTIALS")

	if err := os.WriteFile(adc, key, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := p.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if set, ok := g.dns.set(fqdn); !ok || len(set.Rrdatas) != 1 {
		t.Errorf("set = %+v, want the value published in project %s", set, project)
	}

	if g.token.issued != 1 || len(rec.Requests()) != 4 {
		t.Errorf("tokens issued = %d, requests = %v; want 1 token, then zones, set, change", g.token.issued, rec.Requests())
	}
}

func TestDefaultCredentialsWithoutAProjectNeedGCEProject(t *testing.T) {
	clearEnv(t)

	srv, rec := adaptertest.NewServer(t, newFake())
	key, _ := serviceAccountKey(t, "", srv.URL+"/token")

	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", writeFile(t, key))
	t.Setenv(EnvAPIURL, srv.URL+"/dns/v1")
	t.Setenv("GCE_ZONE", "example.com")

	p, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	err = p.Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, EnvProject)
	adaptertest.AssertNoSecret(t, err, "PRIVATE KEY")

	if r := rec.Requests(); len(r) != 0 {
		t.Errorf("requests = %v, want none", r)
	}
}
