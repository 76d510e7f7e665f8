package gcore

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "gcore-token-SECRET-13"

// fakeGcore serves Gcore RRsets of the zone example.com over store: POST
// creates (409 when the RRset exists), PUT replaces (404 when it does not).
func fakeGcore(store *adaptertest.Store) http.Handler {
	const txt = "/v2/zones/example.com/{name}/TXT"

	encode := func(recs []adaptertest.Record) rrset {
		set := rrset{TTL: recs[0].TTL}
		for _, rec := range recs {
			set.Records = append(set.Records, struct {
				Content []string `json:"content"`
			}{Content: []string{rec.Value}})
		}

		return set
	}
	write := func(w http.ResponseWriter, r *http.Request, wantExisting bool) {
		name := r.PathValue("name")
		if exists := len(store.Find(name, "TXT")) > 0; exists != wantExisting {
			adaptertest.WriteJSON(w, map[bool]int{true: http.StatusNotFound, false: http.StatusConflict}[wantExisting], map[string]string{"error": "rrset state"})

			return
		}

		var set rrset
		if !adaptertest.DecodeJSON(w, r, &set) || set.TTL == 0 {
			return
		}

		var values []string
		for _, rec := range set.Records {
			values = append(values, strings.Join(rec.Content, ""))
		}

		store.SetValues(name, values, set.TTL)
		adaptertest.WriteJSON(w, http.StatusOK, map[string]string{})
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+txt, func(w http.ResponseWriter, r *http.Request) {
		recs := store.Find(r.PathValue("name"), "TXT")
		if len(recs) == 0 {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"error": "record is not found"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, encode(recs))
	})
	mux.HandleFunc("POST "+txt, func(w http.ResponseWriter, r *http.Request) { write(w, r, false) })
	mux.HandleFunc("PUT "+txt, func(w http.ResponseWriter, r *http.Request) { write(w, r, true) })
	mux.HandleFunc("DELETE "+txt, func(_ http.ResponseWriter, r *http.Request) { store.SetValues(r.PathValue("name"), nil, 0) })

	return adaptertest.RequireHeader(mux, "Authorization", "APIKey "+token, http.StatusUnauthorized, `{"error":"Unauthorized"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:   token,
		ReadBack: true,
		Handler:  fakeGcore,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIToken: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout, cfg.Settle = "example.com", 120, timeout, -1

			return NewDNSProviderConfig(cfg)
		},
		WholeSet: true,
		PublishRequests: []string{
			"GET /v2/zones/example.com/_validation-persist.www.example.com/TXT",
			"GET /v2/zones/example.com/_validation-persist.www.example.com/TXT",
			"PUT /v2/zones/example.com/_validation-persist.www.example.com/TXT",
			"GET /v2/zones/example.com/_validation-persist.www.example.com/TXT",
		},
	}.Run(t)
}
