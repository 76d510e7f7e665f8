package dynu

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const apiKey = "dynu-key-SECRET-23"

// fakeDynu serves domain 77 (example.com) of the Dynu API over store.
func fakeDynu(store *adaptertest.Store) http.Handler {
	const records = "/dns/77/record"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /dns/getroot/{name}", func(w http.ResponseWriter, r *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"statusCode": 200, "id": 77, "domainName": "example.com", "hostname": r.PathValue("name")})
	})
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, _ *http.Request) {
		list := []record{}
		for _, rec := range store.Find("", "") {
			list = append(list, record{ID: adaptertest.IntID(rec.ID), NodeName: adaptertest.Relative(rec.Name), RecordType: rec.Type, TextData: rec.Value, TTL: rec.TTL, State: true})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"statusCode": 200, "dnsRecords": list})
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.RecordType != "TXT" || rec.TTL != 300 || !rec.State || rec.ID != 0 {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "type": "Validation Exception", "message": "bad record"})

			return
		}

		store.Add(adaptertest.Absolute(rec.NodeName), "TXT", rec.TextData, rec.TTL)
		adaptertest.WriteJSON(w, http.StatusOK, rec)
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "message": "not found"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]int{"statusCode": 200})
	})

	return adaptertest.RequireHeader(mux, "API-Key", apiKey, http.StatusUnauthorized, `{"statusCode":401,"type":"Authentication Exception","message":"Invalid API key"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  apiKey,
		Handler: fakeDynu,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /dns/getroot/_validation-persist.www.example.com", "POST /dns/77/record"},
	}.Run(t)
}
