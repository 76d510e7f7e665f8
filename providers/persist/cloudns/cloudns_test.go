package cloudns

import (
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const password = "cloudns-pw-SECRET-18"

// fakeClouDNS serves the ClouDNS API for example.com over store; failures
// come as HTTP 200 with status "Failed", as the API sends them.
func fakeClouDNS(store *adaptertest.Store) http.Handler {
	failed := func(w http.ResponseWriter, desc string) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"status": "Failed", "statusDescription": desc})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.ParseForm() != nil || r.URL.RawQuery != "" {
			failed(w, "bad request")

			return
		}

		f := r.PostForm

		switch {
		case f.Get("auth-id") != "1234" || f.Get("auth-password") != password:
			failed(w, "Invalid authentication, incorrect auth-id or auth-password.")
		case f.Get("domain-name") != "example.com":
			failed(w, "Missing domain-name")
		case r.URL.Path == "/records.json":
			recs := map[string]any{}
			for _, rec := range store.Find(adaptertest.Absolute(f.Get("host")), f.Get("type")) {
				recs[rec.ID] = map[string]any{"id": rec.ID, "type": rec.Type, "host": adaptertest.Relative(rec.Name), "record": rec.Value, "ttl": "60"}
			}

			if len(recs) == 0 {
				adaptertest.WriteJSON(w, http.StatusOK, []any{})

				return
			}

			adaptertest.WriteJSON(w, http.StatusOK, recs)
		case r.URL.Path == "/add-record.json" && f.Get("record-type") == "TXT" && f.Get("ttl") == "60":
			id := store.Add(adaptertest.Absolute(f.Get("host")), "TXT", f.Get("record"), 60)
			adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "Success", "statusDescription": "The record was added successfully.", "data": map[string]string{"id": id}})
		case r.URL.Path == "/delete-record.json" && store.Delete(f.Get("record-id")):
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"status": "Success", "statusDescription": "The record was deleted successfully."})
		default:
			failed(w, "Invalid request")
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  password,
		Handler: fakeClouDNS,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{AuthID: "1234", AuthPassword: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 60, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /add-record.json"},
	}.Run(t)
}
