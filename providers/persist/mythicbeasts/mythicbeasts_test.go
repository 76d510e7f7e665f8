package mythicbeasts

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secret = "mythic-secret-SECRET-25"

// fakeMythicBeasts serves the token endpoint (client credentials, basic
// auth) and the DNS API v2 TXT records of the zone example.com over store.
func fakeMythicBeasts(store *adaptertest.Store) http.Handler {
	const token = "mb-access-token"

	txt := "/dns/v2/zones/example.com/records/{host}/TXT"
	name := func(r *http.Request) string { return adaptertest.Absolute(r.PathValue("host")) }

	api := http.NewServeMux()
	api.HandleFunc("POST "+txt, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Records []record `json:"records"`
		}

		if !adaptertest.DecodeJSON(w, r, &body) {
			return
		}

		for _, rec := range body.Records {
			if rec.Type != "TXT" || rec.TTL != 300 || rec.Host != r.PathValue("host") {
				adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "bad record"})

				return
			}

			store.Add(name(r), "TXT", rec.Data, rec.TTL)
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"records_added": len(body.Records), "message": "1 record added"})
	})
	api.HandleFunc("DELETE "+txt, func(w http.ResponseWriter, r *http.Request) {
		data, ok := r.URL.Query()["data"]
		if !ok {
			adaptertest.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "deleting every value is not what a test expects"})

			return
		}

		removed := 0

		for _, rec := range store.Find(name(r), "TXT") {
			if rec.Value == data[0] {
				store.Delete(rec.ID)
				removed++
			}
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"records_removed": removed, "message": "removed"})
	})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "key-id" || pass != secret || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			adaptertest.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "bad key"})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"access_token": token, "token_type": "bearer", "expires_in": 300})
	})
	mux.Handle("/dns/v2/", adaptertest.RequireHeader(api, "Authorization", "Bearer "+token, http.StatusUnauthorized, `{"error":"invalid token"}`))

	return mux
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  secret,
		Handler: fakeMythicBeasts,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{UserName: "key-id", Password: secret, APIEndpoint: baseURL + "/dns/v2", AuthEndpoint: baseURL + "/login"}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /login", "POST /dns/v2/zones/example.com/records/_validation-persist.www/TXT"},
	}.Run(t)
}
