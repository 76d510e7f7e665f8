package vultr

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "vultr-key-SECRET-2"

// fakeVultr serves the Vultr API v2 records of example.com over store.
func fakeVultr(store *adaptertest.Store) http.Handler {
	const records = "/v2/domains/example.com/records"

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("per_page") != "500" {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "per_page"})

			return
		}

		list := []record{}
		for _, r := range store.Find("", "") {
			list = append(list, record{ID: r.ID, Type: r.Type, Name: adaptertest.Relative(r.Name), Data: libdnsadapter.Quote(r.Value), TTL: r.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"records": list, "meta": map[string]any{"total": len(list), "links": map[string]string{"next": ""}}})
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != "TXT" || rec.TTL != 300 || rec.Data != libdnsadapter.Quote(libdnsadapter.Unquote(rec.Data)) {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "unexpected record"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusCreated, map[string]any{"record": rec})
		store.Add(adaptertest.Absolute(rec.Name), rec.Type, libdnsadapter.Unquote(rec.Data), rec.TTL)
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})

			return
		}

		w.WriteHeader(http.StatusNoContent)
	})

	return adaptertest.RequireHeader(mux, "Authorization", "Bearer "+apiKey, http.StatusUnauthorized, `{"error":"Invalid API token."}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeVultr,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /v2/domains/example.com/records"},
	}.Run(t)
}
