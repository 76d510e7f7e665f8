package infomaniak

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "infomaniak-token-SECRET-9"

// fakeInfomaniak serves domain product 555 (example.com) over store.
func fakeInfomaniak(store *adaptertest.Store) http.Handler {
	const records = "/1/domain/555/dns/record"

	ok := func(w http.ResponseWriter, data any) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"result": "success", "data": data})
	}
	fail := func(w http.ResponseWriter, status int, code string) {
		adaptertest.WriteJSON(w, status, map[string]any{"result": "error", "error": map[string]string{"code": code, "description": code}})
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /1/product", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("service_name") != "domain" || q.Get("customer_name") != "example.com" {
			ok(w, []any{})

			return
		}

		ok(w, []map[string]any{{"id": 555, "customer_name": "example.com"}})
	})
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, _ *http.Request) {
		list := []record{}
		for _, rec := range store.Find("", "") {
			list = append(list, record{ID: adaptertest.IntID(rec.ID), Source: adaptertest.Relative(rec.Name), Type: rec.Type, Target: rec.Value, TTL: rec.TTL})
		}

		ok(w, list)
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != "TXT" || rec.TTL != 7200 || rec.ID != nil {
			fail(w, http.StatusBadRequest, "validation_failed")

			return
		}

		ok(w, store.Add(adaptertest.Absolute(rec.Source), "TXT", rec.Target, rec.TTL))
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			fail(w, http.StatusNotFound, "not_found")

			return
		}

		ok(w, true)
	})

	return adaptertest.RequireHeader(mux, "Authorization", "Bearer "+token, http.StatusUnauthorized, `{"result":"error","error":{"code":"not_authorized","description":"Authorization required"}}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeInfomaniak,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{AccessToken: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 7200, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /1/product", "POST /1/domain/555/dns/record"},
	}.Run(t)
}
