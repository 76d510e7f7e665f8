package ovh

import (
	"crypto/sha1" //nolint:gosec // OVHcloud's request signature is SHA-1
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const (
	appKey    = "app-key-1"
	appSecret = "ovh-app-SECRET-15"
	consumer  = "consumer-key-1"
	now       = 1700000000
)

// signed checks the OVHcloud signature of r ("$1$" + SHA-1 of secret,
// consumer key, method, URL, body and timestamp joined by '+').
func signed(r *http.Request, body []byte) bool {
	h := sha1.New() //nolint:gosec // the API's scheme
	_, _ = io.WriteString(h, strings.Join([]string{appSecret, consumer, r.Method, "http://" + r.Host + r.URL.RequestURI(), string(body), r.Header.Get("X-Ovh-Timestamp")}, "+"))

	return r.Header.Get("X-Ovh-Application") == appKey && r.Header.Get("X-Ovh-Consumer") == consumer &&
		r.Header.Get("X-Ovh-Signature") == "$1$"+hex.EncodeToString(h.Sum(nil))
}

// fakeOVH serves the OVHcloud API's zone records of example.com over store,
// checking each request's signature; refreshes counts the zone refreshes.
func fakeOVH(store *adaptertest.Store, refreshes *int) http.Handler {
	const zone = "/domain/zone/example.com"

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+zone+"/record", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ids := []int64{}

		for _, rec := range store.Find(adaptertest.Absolute(q.Get("subDomain")), q.Get("fieldType")) {
			ids = append(ids, adaptertest.IntID(rec.ID))
		}

		adaptertest.WriteJSON(w, http.StatusOK, ids)
	})
	mux.HandleFunc("GET "+zone+"/record/{id}", func(w http.ResponseWriter, r *http.Request) {
		rec, ok := store.Get(r.PathValue("id"))
		if !ok {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "not found"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, record{ID: adaptertest.IntID(rec.ID), FieldType: rec.Type, SubDomain: adaptertest.Relative(rec.Name), Target: `"` + rec.Value + `"`, TTL: rec.TTL})
	})
	mux.HandleFunc("POST "+zone+"/record", func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.FieldType != "TXT" || rec.TTL != 120 || rec.ID != 0 {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "Invalid record"})

			return
		}

		rec.ID = adaptertest.IntID(store.Add(adaptertest.Absolute(rec.SubDomain), "TXT", rec.Target, rec.TTL))
		adaptertest.WriteJSON(w, http.StatusOK, rec)
	})
	mux.HandleFunc("DELETE "+zone+"/record/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "not found"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, nil)
	})
	mux.HandleFunc("POST "+zone+"/refresh", func(w http.ResponseWriter, _ *http.Request) {
		*refreshes++

		adaptertest.WriteJSON(w, http.StatusOK, nil)
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/time" {
			_ = json.NewEncoder(w).Encode(now)

			return
		}

		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))

		if !signed(r, body) {
			adaptertest.WriteJSON(w, http.StatusForbidden, map[string]string{"message": "Invalid signature", "errorCode": "INVALID_SIGNATURE"})

			return
		}

		mux.ServeHTTP(w, r)
	})
}

func newTestProvider(baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
	cfg := &Config{Endpoint: baseURL, ApplicationKey: appKey, ApplicationSecret: secret, ConsumerKey: consumer}
	cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 120, timeout

	return NewDNSProviderConfig(cfg)
}

func TestAgainstFakeAPI(t *testing.T) {
	var refreshes int

	adaptertest.Suite{
		Secret:  appSecret,
		Handler: func(store *adaptertest.Store) http.Handler { return fakeOVH(store, &refreshes) },
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			return newTestProvider(baseURL, secret, timeout)
		},
		PublishRequests: []string{"GET /auth/time", "POST /domain/zone/example.com/record", "POST /domain/zone/example.com/refresh"},
	}.Run(t)

	if refreshes == 0 {
		t.Error("no zone refresh after the changes")
	}
}

func TestCredentialsAreRequired(t *testing.T) {
	for _, cfg := range []*Config{{}, {Endpoint: "ovh-eu"}, {Endpoint: "ovh-eu", ApplicationKey: appKey}} {
		if _, err := NewDNSProviderConfig(cfg); err == nil || !strings.Contains(err.Error(), "ovh: ") {
			t.Errorf("NewDNSProviderConfig(%+v) = %v, want an error", cfg, err)
		}
	}

}
