package dnsimple

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "dnsimple-token-SECRET-4"

// fakeDNSimple serves account 1010's zone example.com over store.
func fakeDNSimple(store *adaptertest.Store) http.Handler {
	const records = "/v2/1010/zones/example.com/records"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/whoami", func(w http.ResponseWriter, _ *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"account": map[string]any{"id": 1010}, "user": nil}})
	})
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		list := []record{}

		for _, rec := range store.Find(adaptertest.Absolute(q.Get("name")), q.Get("type")) {
			list = append(list, record{ID: adaptertest.IntID(rec.ID), Name: adaptertest.Relative(rec.Name), Type: rec.Type, Content: libdnsadapter.Quote(rec.Value), TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"data": list, "pagination": map[string]int{"current_page": 1, "total_pages": 1}})
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != "TXT" || rec.TTL != 120 || rec.Content != libdnsadapter.Quote(libdnsadapter.Unquote(rec.Content)) {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "Validation failed"})

			return
		}

		store.Add(adaptertest.Absolute(rec.Name), rec.Type, libdnsadapter.Unquote(rec.Content), rec.TTL)
		adaptertest.WriteJSON(w, http.StatusCreated, map[string]any{"data": rec})
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Record not found"})

			return
		}

		w.WriteHeader(http.StatusNoContent)
	})

	return adaptertest.RequireHeader(mux, "Authorization", "Bearer "+token, http.StatusUnauthorized, `{"message":"Authentication failed"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeDNSimple,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{AccessToken: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 120, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /v2/whoami", "POST /v2/1010/zones/example.com/records"},
	}.Run(t)
}
