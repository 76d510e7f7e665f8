package inwx

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	password = "inwx-pw-SECRET-21"
	otpKey   = "JBSWY3DPEHPK3PXP"
)

// fakeINWX serves INWX JSON-RPC methods for example.com over store, with a
// session cookie; with tfa set, the session must be unlocked with the TOTP
// code of otpKey. logins counts account.login calls.
type fakeINWX struct {
	store  *adaptertest.Store
	tfa    bool
	mu     sync.Mutex
	logins int
}

func (f *fakeINWX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()

	reply := func(code int, msg string, res any) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"code": code, "msg": msg, "resData": res})
	}

	var req struct {
		Method string         `json:"method"`
		Params map[string]any `json:"params"`
	}

	if r.Method != http.MethodPost || r.URL.Path != "/jsonrpc/" || json.NewDecoder(r.Body).Decode(&req) != nil {
		reply(2400, "Command failed", nil)

		return
	}

	cookie, _ := r.Cookie("domrobot")
	session := cookie != nil && cookie.Value == "unlocked"
	p := req.Params

	switch {
	case req.Method == "account.login":
		f.logins++

		if p["user"] != "me" || p["pass"] != password {
			reply(2200, "Authentication error", nil)

			return
		}

		state, tfa := "unlocked", "0"
		if f.tfa {
			state, tfa = "locked", "GOOGLE-AUTH"
		}

		http.SetCookie(w, &http.Cookie{Name: "domrobot", Value: state, Path: "/"})
		reply(1000, "Command completed successfully", map[string]string{"tfa": tfa})
	case req.Method == "account.unlock":
		if tan, _ := p["tan"].(string); cookie == nil || !totp.Validate(tan, otpKey) {
			reply(2200, "Authentication error", nil)

			return
		}

		http.SetCookie(w, &http.Cookie{Name: "domrobot", Value: "unlocked", Path: "/"})
		reply(1000, "Command completed successfully", nil)
	case !session:
		reply(2002, "Command use error", nil)
	case p["domain"] != nil && p["domain"] != "example.com":
		reply(2303, "Object does not exist", nil)
	case req.Method == "nameserver.info":
		var recs []map[string]any
		for _, rec := range f.store.Find(adaptertest.Absolute(p["name"].(string)), p["type"].(string)) {
			recs = append(recs, map[string]any{"id": adaptertest.IntID(rec.ID), "name": rec.Name, "type": rec.Type, "content": rec.Value, "ttl": rec.TTL})
		}

		reply(1000, "Command completed successfully", map[string]any{"domain": "example.com", "record": recs})
	case req.Method == "nameserver.createRecord" && p["type"] == "TXT" && p["ttl"] == float64(300):
		id := f.store.Add(adaptertest.Absolute(p["name"].(string)), "TXT", p["content"].(string), 300)
		reply(1000, "Command completed successfully", map[string]any{"id": adaptertest.IntID(id)})
	case req.Method == "nameserver.deleteRecord":
		id, _ := p["id"].(float64)
		if !f.store.Delete(strconv.Itoa(int(id))) {
			reply(2303, "Object does not exist", nil)

			return
		}

		reply(1000, "Command completed successfully", nil)
	default:
		reply(2400, "Command failed", nil)
	}
}

func newTestProvider(baseURL, secret, otp string, timeout time.Duration) (*DNSProvider, error) {
	cfg := &Config{Username: "me", Password: secret, SharedSecret: otp, BaseURL: baseURL + "/jsonrpc/"}
	cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

	return NewDNSProviderConfig(cfg)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  password,
		Handler: func(store *adaptertest.Store) http.Handler { return &fakeINWX{store: store} },
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			return newTestProvider(baseURL, secret, "", timeout)
		},
		PublishRequests: []string{"POST /jsonrpc/", "POST /jsonrpc/"}, // account.login, nameserver.createRecord
	}.Run(t)
}

func TestTwoFactorSessionIsUnlockedOnceAndReused(t *testing.T) {
	f := &fakeINWX{store: &adaptertest.Store{}, tfa: true}
	srv, _ := adaptertest.NewServer(t, f)

	pub, err := newTestProvider(srv.URL, password, otpKey, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish, pub.Publish} {
		if err := op(context.Background(), adaptertest.FQDN, adaptertest.Value); err != nil {
			t.Fatal(err)
		}
	}

	if got := f.store.Values(adaptertest.Name); len(got) != 1 || got[0] != adaptertest.Value {
		t.Errorf("values = %q, want the one published", got)
	}

	if f.logins != 1 {
		t.Errorf("logins = %d, want 1 (the session is reused)", f.logins)
	}
}

func TestTwoFactorWithoutSharedSecretNamesIt(t *testing.T) {
	f := &fakeINWX{store: &adaptertest.Store{}, tfa: true}
	srv, _ := adaptertest.NewServer(t, f)

	pub, err := newTestProvider(srv.URL, password, "", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	adaptertest.AssertOneLine(t, pub.Publish(context.Background(), adaptertest.FQDN, adaptertest.Value), EnvSharedSecret)
}
