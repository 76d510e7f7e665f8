package linode

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "linode-token-SECRET-1"

// fakeLinode serves the Linode API v4 domain records of example.com (domain
// ID 7) over store, with bearer-token authentication.
func fakeLinode(store *adaptertest.Store) http.Handler {
	const records = "/v4/domains/7/records"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v4/domains", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"data": []any{
			map[string]any{"id": 3, "domain": "other.example"}, map[string]any{"id": 7, "domain": "example.com"},
		}, "page": 1, "pages": 1})
	})
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, _ *http.Request) {
		var data []record

		for _, r := range store.Find("", "") {
			rel := strings.TrimSuffix(strings.TrimSuffix(r.Name, "example.com"), ".")
			data = append(data, record{ID: adaptertest.IntID(r.ID), Type: r.Type, Name: rel, Target: r.Value, TTL: r.TTL})
		}

		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "page": 1, "pages": 1})
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if err := json.NewDecoder(r.Body).Decode(&rec); err != nil || rec.Type != "TXT" || rec.Name == "" || rec.TTL != 300 {
			http.Error(w, `{"errors":[{"reason":"bad record"}]}`, http.StatusBadRequest)

			return
		}

		store.Add(rec.Name+".example.com", rec.Type, rec.Target, rec.TTL)
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			http.Error(w, `{"errors":[{"reason":"Not found"}]}`, http.StatusNotFound)
		}
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"errors":[{"reason":"Invalid Token"}]}`, http.StatusUnauthorized)

			return
		}

		mux.ServeHTTP(w, r)
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeLinode,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{Token: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /v4/domains", "POST /v4/domains/7/records"},
	}.Run(t)
}
