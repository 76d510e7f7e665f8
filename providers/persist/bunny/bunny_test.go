package bunny

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "bunny-key-SECRET-3"

var typeNumber = map[string]int{"TXT": txtType, "CNAME": 2}

// fakeBunny serves the bunny.net DNS zone example.com (ID 42) over store.
func fakeBunny(store *adaptertest.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dnszone", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("search") != "example.com" {
			adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"Items": []zone{}})

			return
		}

		z := zone{ID: 42, Domain: "example.com", Records: []record{}}
		for _, r := range store.Find("", "") {
			z.Records = append(z.Records, record{ID: adaptertest.IntID(r.ID), Type: typeNumber[r.Type], Name: adaptertest.Relative(r.Name), Value: r.Value, TTL: r.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"Items": []zone{{ID: 7, Domain: "example.org"}, z}, "HasMoreItems": false})
	})
	mux.HandleFunc("PUT /dnszone/42/records", func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != txtType || rec.TTL != 120 || rec.ID != 0 {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"Message": "unexpected record"})

			return
		}

		store.Add(adaptertest.Absolute(rec.Name), "TXT", rec.Value, rec.TTL)
		adaptertest.WriteJSON(w, http.StatusCreated, rec)
	})
	mux.HandleFunc("DELETE /dnszone/42/records/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"Message": "not found"})

			return
		}

		w.WriteHeader(http.StatusNoContent)
	})

	return adaptertest.RequireHeader(mux, "AccessKey", apiKey, http.StatusUnauthorized, `{"Message":"Authorization has been denied"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeBunny,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 120, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /dnszone", "PUT /dnszone/42/records"},
	}.Run(t)
}
