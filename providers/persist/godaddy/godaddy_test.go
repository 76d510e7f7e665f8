package godaddy

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiSecret = "godaddy-secret-SECRET-11"

// fakeGoDaddy serves the Domains API's records of example.com over store.
func fakeGoDaddy(store *adaptertest.Store) http.Handler {
	const txt = "/v1/domains/example.com/records/TXT/{name}"

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+txt, func(w http.ResponseWriter, r *http.Request) {
		list := []record{}
		for _, rec := range store.Find(adaptertest.Absolute(r.PathValue("name")), "TXT") {
			list = append(list, record{Type: "TXT", Name: r.PathValue("name"), Data: rec.Value, TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("PUT "+txt, func(w http.ResponseWriter, r *http.Request) {
		var recs []record
		if !adaptertest.DecodeJSON(w, r, &recs) || len(recs) == 0 {
			return
		}

		var values []string
		for _, rec := range recs {
			values = append(values, rec.Data)
		}

		store.SetValues(adaptertest.Absolute(r.PathValue("name")), values, recs[0].TTL)
	})
	mux.HandleFunc("DELETE "+txt, func(_ http.ResponseWriter, r *http.Request) {
		store.SetValues(adaptertest.Absolute(r.PathValue("name")), nil, 0)
	})
	mux.HandleFunc("PATCH /v1/domains/example.com/records", func(w http.ResponseWriter, r *http.Request) {
		var recs []record
		if !adaptertest.DecodeJSON(w, r, &recs) {
			return
		}

		for _, rec := range recs {
			if rec.Type != "TXT" || rec.TTL != 600 {
				adaptertest.WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"code": "INVALID_BODY", "message": "bad record"})

				return
			}

			store.Add(adaptertest.Absolute(rec.Name), "TXT", rec.Data, rec.TTL)
		}
	})

	return adaptertest.RequireHeader(mux, "Authorization", "sso-key key1:"+apiSecret, http.StatusUnauthorized,
		`{"code":"UNABLE_TO_AUTHENTICATE","message":"Unable to authenticate"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:   apiSecret,
		ReadBack: true,
		Handler:  fakeGoDaddy,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: "key1", APISecret: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout, cfg.Settle = "example.com", 600, timeout, -1

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{
			"GET /v1/domains/example.com/records/TXT/_validation-persist.www", // read before the write
			"GET /v1/domains/example.com/records/TXT/_validation-persist.www", // the value is not there yet
			"PATCH /v1/domains/example.com/records",
			"GET /v1/domains/example.com/records/TXT/_validation-persist.www", // read back
		},
	}.Run(t)
}
