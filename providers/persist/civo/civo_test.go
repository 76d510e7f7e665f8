package civo

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "civo-key-SECRET-24"

// fakeCivo serves domain d-9 (example.com) of the Civo API over store; reads
// and deletes must name a region.
func fakeCivo(store *adaptertest.Store) http.Handler {
	const records = "/dns/d-9/records"

	withRegion := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("region") == "" {
				adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"code": "region_required", "reason": "no region"})

				return
			}

			next(w, r)
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /dns", withRegion(func(w http.ResponseWriter, _ *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, []map[string]string{{"id": "d-8", "name": "example.org"}, {"id": "d-9", "name": "example.com"}})
	}))
	mux.HandleFunc("GET "+records, withRegion(func(w http.ResponseWriter, _ *http.Request) {
		list := []record{}
		for _, rec := range store.Find("", "") {
			list = append(list, record{ID: rec.ID, DomainID: "d-9", Name: adaptertest.Relative(rec.Name), Type: rec.Type, Value: rec.Value, TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, list)
	}))
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != "TXT" || rec.TTL != 600 || rec.ID != "" {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"code": "invalid", "reason": "bad record"})

			return
		}

		rec.ID = store.Add(adaptertest.Absolute(rec.Name), "TXT", rec.Value, rec.TTL)
		adaptertest.WriteJSON(w, http.StatusOK, rec)
	})
	mux.HandleFunc("DELETE "+records+"/{id}", withRegion(func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"code": "database_dns_record_not_found", "reason": "not found"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"result": "success"})
	}))

	return adaptertest.RequireHeader(mux, "Authorization", "Bearer "+token, http.StatusUnauthorized, `{"code":"authentication_invalid_key","reason":"invalid key"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeCivo,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{Token: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 600, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /dns", "POST /dns/d-9/records"},
	}.Run(t)
}
