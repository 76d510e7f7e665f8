package porkbun

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secretKey = "porkbun-secret-SECRET-5"

// fakePorkbun serves the Porkbun API v3 for example.com over store; the
// keys are checked in each request body.
func fakePorkbun(store *adaptertest.Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /dns/retrieveByNameType/example.com/TXT/{sub}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := authorized(w, r); !ok {
			return
		}

		list := []record{}
		for _, rec := range store.Find(adaptertest.Absolute(r.PathValue("sub")), "TXT") {
			list = append(list, record{ID: rec.ID, Name: rec.Name, Type: rec.Type, Content: rec.Value})
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "SUCCESS", "records": list})
	})
	mux.HandleFunc("POST /dns/create/example.com", func(w http.ResponseWriter, r *http.Request) {
		req, ok := authorized(w, r)
		if !ok {
			return
		}

		if req.Type != "TXT" || req.TTL != "600" || req.Content == "" {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"status": "ERROR", "message": "bad record"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "SUCCESS", "id": store.Add(adaptertest.Absolute(req.Name), "TXT", req.Content, 600)})
	})
	mux.HandleFunc("POST /dns/delete/example.com/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := authorized(w, r); !ok {
			return
		}

		if !store.Delete(r.PathValue("id")) {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"status": "ERROR", "message": "Invalid record ID."})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"status": "SUCCESS"})
	})

	return mux
}

func authorized(w http.ResponseWriter, r *http.Request) (request, bool) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.APIKey != "pk1_key" || req.SecretAPIKey != secretKey {
		adaptertest.WriteJSON(w, http.StatusForbidden, map[string]string{"status": "ERROR", "message": "Invalid API key. (002)"})

		return req, false
	}

	return req, true
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  secretKey,
		Handler: fakePorkbun,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{APIKey: "pk1_key", SecretAPIKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 600, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /dns/create/example.com"},
	}.Run(t)
}
