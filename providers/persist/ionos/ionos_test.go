package ionos

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "prefix.ionos-SECRET-8"

// fakeIONOS serves the IONOS DNS API's zone example.com (ID z-11) over store.
func fakeIONOS(store *adaptertest.Store) http.Handler {
	const zone = "/v1/zones/z-11"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/zones", func(w http.ResponseWriter, _ *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, []map[string]string{{"id": "z-9", "name": "example.org"}, {"id": "z-11", "name": "example.com"}})
	})
	mux.HandleFunc("GET "+zone, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		list := []record{}

		for _, rec := range store.Find(q.Get("recordName"), q.Get("recordType")) {
			list = append(list, record{ID: rec.ID, Name: rec.Name, Type: rec.Type, Content: `"` + rec.Value + `"`, TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"id": "z-11", "name": "example.com", "records": list})
	})
	mux.HandleFunc("POST "+zone+"/records", func(w http.ResponseWriter, r *http.Request) {
		var recs []record
		if !adaptertest.DecodeJSON(w, r, &recs) {
			return
		}

		for _, rec := range recs {
			if rec.Type != "TXT" || rec.TTL != 300 || rec.ID != "" {
				adaptertest.WriteJSON(w, http.StatusBadRequest, []map[string]string{{"code": "INVALID_RECORD", "message": "bad record"}})

				return
			}
		}

		for _, rec := range recs {
			store.Add(rec.Name, rec.Type, rec.Content, rec.TTL)
		}

		adaptertest.WriteJSON(w, http.StatusCreated, recs)
	})
	mux.HandleFunc("DELETE "+zone+"/records/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, []map[string]string{{"code": "RECORD_NOT_FOUND", "message": "not found"}})
		}
	})

	return adaptertest.RequireHeader(mux, "X-API-Key", apiKey, http.StatusUnauthorized, `[{"code":"UNAUTHORIZED","message":"The customer cannot be authorized"}]`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeIONOS,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /v1/zones", "POST /v1/zones/z-11/records"},
	}.Run(t)
}
