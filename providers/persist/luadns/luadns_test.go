package luadns

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "luadns-token-SECRET-19"

// fakeLuaDNS serves zone 5 (example.com) of the LuaDNS API over store.
func fakeLuaDNS(store *adaptertest.Store) http.Handler {
	const records = "/v1/zones/5/records"

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/zones", func(w http.ResponseWriter, _ *http.Request) {
		adaptertest.WriteJSON(w, http.StatusOK, []map[string]any{{"id": 4, "name": "example.org"}, {"id": 5, "name": "example.com"}})
	})
	mux.HandleFunc("GET "+records, func(w http.ResponseWriter, _ *http.Request) {
		list := []record{}
		for _, rec := range store.Find("", "") {
			list = append(list, record{ID: adaptertest.IntID(rec.ID), Name: rec.Name + ".", Type: rec.Type, Content: rec.Value, TTL: rec.TTL})
		}

		adaptertest.WriteJSON(w, http.StatusOK, list)
	})
	mux.HandleFunc("POST "+records, func(w http.ResponseWriter, r *http.Request) {
		var rec record
		if !adaptertest.DecodeJSON(w, r, &rec) {
			return
		}

		if rec.Type != "TXT" || rec.TTL != 300 || rec.ID != 0 || rec.Name[len(rec.Name)-1] != '.' {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid record"})

			return
		}

		store.Add(rec.Name, "TXT", rec.Content, rec.TTL)
		adaptertest.WriteJSON(w, http.StatusOK, rec)
	})
	mux.HandleFunc("DELETE "+records+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusNotFound, map[string]string{"message": "not found"})
		}
	})

	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth("me@example.com", token)

	return adaptertest.RequireHeader(mux, "Authorization", req.Header.Get("Authorization"), http.StatusUnauthorized, `{"status":"Unauthorized","message":"Invalid username or API key"}`)
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeLuaDNS,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{Username: "me@example.com", APIToken: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"GET /v1/zones", "POST /v1/zones/5/records"},
	}.Run(t)
}
